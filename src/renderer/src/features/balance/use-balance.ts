import { useLiveQuery } from 'dexie-react-hooks'
import { balanceFor, parisToday, type Balance } from '../../../../shared/domain'
import { repo } from '../../app/session'
import type { CarnetDb } from '../../db/database'
import type { ConventionRow } from '../../db/rows'

export interface ConventionBalance {
  convention: ConventionRow
  balance: Balance
}

/**
 * Balance = purchased − consumed (the server's figure) − pending (units recorded here and not
 * yet reflected by the server: local units minus the server's units, per intervention).
 */
export async function loadBalance(
  db: CarnetDb,
  conventionId: string,
  nowMs: number
): Promise<ConventionBalance | null> {
  const [convention, row, interventions] = await Promise.all([
    db.conventions.get(conventionId),
    db.balances.get(conventionId),
    db.interventions.where('conventionId').equals(conventionId).toArray()
  ])
  if (!convention) return null
  const pending = interventions.reduce((sum, i) => sum + (i.localUnits - i.units), 0)
  const balance = balanceFor(
    {
      unitsPurchased: row?.unitsPurchased ?? convention.unitsPurchased,
      unitsConsumed: row?.unitsConsumed ?? 0,
      unitsPending: Math.max(0, pending),
      startsOn: convention.startsOn,
      endsOn: convention.endsOn,
      terminatedOn: convention.terminatedOn ?? null
    },
    parisToday(nowMs)
  )
  return { convention, balance }
}

export function useBalance(conventionId: string | undefined): ConventionBalance | null | undefined {
  return useLiveQuery(
    () =>
      conventionId ? loadBalance(repo().db, conventionId, repo().now()) : Promise.resolve(null),
    [conventionId]
  )
}
