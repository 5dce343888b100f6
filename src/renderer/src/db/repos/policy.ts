import { DEFAULT_POLICY, unitsFor, secondsFor, type UnitsPolicy } from '../../../../shared/domain'
import type { CarnetDb } from '../database'
import type { InterventionRow } from '../rows'

export async function policyOf(db: CarnetDb, conventionId: string): Promise<UnitsPolicy> {
  return (await db.conventions.get(conventionId))?.policy ?? DEFAULT_POLICY
}

/**
 * Recomputes an intervention's local seconds and units from its non-voided entries with the
 * shared rule. Runs inside the transaction that changed an entry.
 */
export async function refreshLocalUnits(
  db: CarnetDb,
  intervention: InterventionRow
): Promise<void> {
  const entries = (
    await db.timeEntries.where('interventionId').equals(intervention.id).toArray()
  ).filter((e) => !e.voidedAt)
  const policy = await policyOf(db, intervention.conventionId)
  await db.interventions.update(intervention.id, {
    localSeconds: secondsFor(entries),
    localUnits: unitsFor(entries, policy)
  })
}
