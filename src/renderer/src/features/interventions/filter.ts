import type { InterventionKind, InterventionStatus } from '../../../../shared/domain'
import type { InterventionRow } from '../../db/rows'

export interface ListFilter {
  text: string
  collectiviteId: string
  status: InterventionStatus | ''
  kind: InterventionKind | ''
}

export const EMPTY_FILTER: ListFilter = { text: '', collectiviteId: '', status: '', kind: '' }

/** Lower case without accents, so "ecole" finds "École". */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
}

export interface IndexedIntervention {
  row: InterventionRow
  haystack: string
}

/** Built once per data change; each keystroke then only scans prepared strings. */
export function indexInterventions(
  rows: readonly InterventionRow[],
  collectiviteNames: ReadonlyMap<string, string>,
  conventionNumbers: ReadonlyMap<string, string>
): IndexedIntervention[] {
  const indexed = rows.map((row) => ({
    row,
    haystack: normalize(
      `${row.title} ${collectiviteNames.get(row.collectiviteId) ?? ''} ${conventionNumbers.get(row.conventionId) ?? ''}`
    )
  }))
  // Most recently changed first: what a technician usually looks for.
  return indexed.sort((a, b) =>
    a.row.updatedAt < b.row.updatedAt ? 1 : a.row.updatedAt > b.row.updatedAt ? -1 : 0
  )
}

export function filterInterventions(
  items: readonly IndexedIntervention[],
  filter: ListFilter
): InterventionRow[] {
  const words = normalize(filter.text).split(/\s+/).filter(Boolean)
  const out: InterventionRow[] = []
  for (const { row, haystack } of items) {
    if (filter.collectiviteId && row.collectiviteId !== filter.collectiviteId) continue
    if (filter.status && row.status !== filter.status) continue
    if (filter.kind && row.kind !== filter.kind) continue
    if (words.length && !words.every((w) => haystack.includes(w))) continue
    out.push(row)
  }
  return out
}
