import { useLiveQuery } from 'dexie-react-hooks'
import { repo } from '../../app/session'
import type { CollectiviteRow, ConventionRow } from '../../db/rows'

export interface Reference {
  collectivites: CollectiviteRow[]
  conventions: ConventionRow[]
  collectiviteNames: Map<string, string>
  conventionNumbers: Map<string, string>
}

/** Municipalities and agreements: small tables every screen names things from. */
export function useReference(): Reference | undefined {
  return useLiveQuery(async () => {
    const { db } = repo()
    const [collectivites, conventions] = await Promise.all([
      db.collectivites.orderBy('name').toArray(),
      db.conventions.toArray()
    ])
    return {
      collectivites,
      conventions,
      collectiviteNames: new Map(collectivites.map((c) => [c.id, c.name])),
      conventionNumbers: new Map(conventions.map((c) => [c.id, c.number]))
    }
  }, [])
}
