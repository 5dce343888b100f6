import { create } from 'zustand'
import { EMPTY_FILTER, type ListFilter } from './filter'

/** List UI state: kept while the technician opens an intervention and comes back. */
export const useListFilter = create<{
  filter: ListFilter
  setFilter: (patch: Partial<ListFilter>) => void
}>((set) => ({
  filter: EMPTY_FILTER,
  setFilter: (patch) => set((s) => ({ filter: { ...s.filter, ...patch } }))
}))
