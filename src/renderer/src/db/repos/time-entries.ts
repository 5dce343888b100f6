import {
  acceptsTimeEntries,
  DomainError,
  uuidv7,
  type TimeEntryMode,
  type TimeEntrySource
} from '../../../../shared/domain'
import { manualEntryDraftSchema, voidReasonSchema } from '../../../../shared/domain/entities'
import { timeEntryAddArgs } from '../../../../shared/sync/mutations'
import type { RepoContext } from '../context'
import { enqueue } from '../outbox'
import type { TimeEntryRow } from '../rows'
import { notFound, parseOrThrow } from '../validate'
import { refreshLocalUnits } from './policy'

export interface EntryInput {
  interventionId: string
  startedAt: string
  endedAt: string
  mode: TimeEntryMode
  source: TimeEntrySource
  assetId?: string | null
  note?: string
}

/** Tables `writeEntry` touches; callers open their transaction over at least these. */
export function entryTables(ctx: RepoContext) {
  const { db } = ctx
  return [db.interventions, db.conventions, db.timeEntries, db.outbox, db.meta] as const
}

/**
 * Writes one time entry, its outbox entry and the intervention's recomputed local units. Must be
 * called inside a transaction over `entryTables`.
 */
export async function writeEntry(ctx: RepoContext, input: EntryInput): Promise<string> {
  const { db } = ctx
  const args = parseOrThrow(timeEntryAddArgs, { ...input, id: uuidv7(ctx.now()) })
  const intervention = await db.interventions.get(args.interventionId)
  if (!intervention) throw notFound('Intervention', args.interventionId)
  if (!acceptsTimeEntries(intervention.status)) {
    throw new DomainError(
      'status.locked',
      'This intervention is signed: no time can be added to it.'
    )
  }
  const row: TimeEntryRow = {
    id: args.id,
    interventionId: args.interventionId,
    technicianId: ctx.technicianId,
    startedAt: args.startedAt,
    endedAt: args.endedAt,
    mode: args.mode,
    source: args.source,
    assetId: args.assetId ?? null,
    createdAt: new Date(ctx.now()).toISOString(),
    voidedAt: null,
    voidReason: null,
    version: 0,
    ...(args.note ? { note: args.note } : {})
  }
  await db.timeEntries.add(row)
  await enqueue(db, 'timeEntry.add.v1', args, ctx.now())
  await refreshLocalUnits(db, intervention)
  return args.id
}

/** A manual entry typed by the technician (start and end chosen by hand). */
export async function addManualEntry(
  ctx: RepoContext,
  draft: {
    interventionId: string
    startedAt: string
    endedAt: string
    mode: TimeEntryMode
    note?: string
    assetId?: string | null
  }
): Promise<string> {
  const checked = parseOrThrow(manualEntryDraftSchema, draft)
  return ctx.db.transaction('rw', entryTables(ctx), () =>
    writeEntry(ctx, { ...checked, source: 'manual' })
  )
}

/**
 * Voids an entry: it stays stored (append-only record) with the reason, and stops counting.
 * A wrong entry is corrected by voiding it and adding a new one.
 */
export async function voidEntry(
  ctx: RepoContext,
  entryId: string,
  rawReason: string
): Promise<void> {
  const { db } = ctx
  const reason = parseOrThrow(voidReasonSchema, rawReason)
  await db.transaction('rw', entryTables(ctx), async () => {
    const entry = await db.timeEntries.get(entryId)
    if (!entry) throw notFound('Time entry', entryId)
    if (entry.voidedAt)
      throw new DomainError('entry.alreadyVoided', 'This time entry is already voided.')
    const intervention = await db.interventions.get(entry.interventionId)
    if (!intervention) throw notFound('Intervention', entry.interventionId)
    if (!acceptsTimeEntries(intervention.status)) {
      throw new DomainError(
        'status.locked',
        'This intervention is signed: corrections need an audited adjustment.'
      )
    }
    await db.timeEntries.update(entryId, {
      voidedAt: new Date(ctx.now()).toISOString(),
      voidReason: reason
    })
    await enqueue(db, 'timeEntry.void.v1', { id: entryId, reason }, ctx.now())
    await refreshLocalUnits(db, intervention)
  })
}
