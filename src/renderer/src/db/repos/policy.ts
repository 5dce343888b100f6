import {
  DEFAULT_POLICY,
  entriesIssue,
  secondsFor,
  unitsFor,
  type UnitsPolicy
} from '../../../../shared/domain'
import type { CarnetDb } from '../database'
import type { InterventionRow } from '../rows'

export async function policyOf(db: CarnetDb, conventionId: string): Promise<UnitsPolicy> {
  return (await db.conventions.get(conventionId))?.policy ?? DEFAULT_POLICY
}

/**
 * Recomputes an intervention's local seconds and units from its non-voided entries with the
 * shared rule. Runs inside the transaction that changed an entry. When a stored entry breaks the
 * rule (an edit made outside Carnet, see entriesIssue), the figures are kept as they were, as the
 * server does, rather than failing the technician's change; the screens show the problem.
 */
export async function refreshLocalUnits(
  db: CarnetDb,
  intervention: InterventionRow
): Promise<void> {
  const entries = (
    await db.timeEntries.where('interventionId').equals(intervention.id).toArray()
  ).filter((e) => !e.voidedAt)
  const policy = await policyOf(db, intervention.conventionId)
  if (entriesIssue(entries, policy)) return
  await db.interventions.update(intervention.id, {
    localSeconds: secondsFor(entries),
    localUnits: unitsFor(entries, policy)
  })
}
