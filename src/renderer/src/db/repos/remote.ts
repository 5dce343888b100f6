import { uuidv7 } from '../../../../shared/domain'
import type { RemoteSessionEnded } from '../../../../shared/ipc/contract'
import { remoteSessionLogArgs } from '../../../../shared/sync/mutations'
import type { RepoContext } from '../context'
import { enqueue } from '../outbox'
import type { RemoteProfileRow } from '../rows'
import { parseOrThrow } from '../validate'
import { entryTables, writeEntry } from './time-entries'
import { yieldTimerTo } from './timer'

/** Profiles are this laptop's (secrets stay in the main process's vault, by reference). */
export async function saveRemoteProfile(
  ctx: RepoContext,
  profile: Omit<RemoteProfileRow, 'id'> & { id?: string }
): Promise<string> {
  const id = profile.id ?? uuidv7(ctx.now())
  await ctx.db.remoteProfiles.put({ ...profile, id })
  return id
}

export function deleteRemoteProfile(ctx: RepoContext, id: string): Promise<void> {
  return ctx.db.remoteProfiles.delete(id)
}

/**
 * Logs a finished session (who, when, asset, protocol, outcome) and, when the technician
 * confirmed it, adds the remote time entry — both with their outbox entries, in one transaction.
 * A timer running on the same intervention gives the session's minutes up to it (yieldTimerTo).
 */
export async function recordRemoteSession(
  ctx: RepoContext,
  ended: RemoteSessionEnded,
  input: { assetId: string; interventionId: string | null; billed: boolean; note?: string }
): Promise<void> {
  const { db } = ctx
  const args = parseOrThrow(remoteSessionLogArgs, {
    id: uuidv7(ctx.now()),
    assetId: input.assetId,
    interventionId: input.interventionId,
    protocol: ended.protocol,
    startedAt: ended.startedAt,
    endedAt: ended.endedAt,
    outcome: ended.outcome,
    ...(ended.detail ? { detail: ended.detail.slice(0, 500) } : {})
  })
  await db.transaction('rw', [...entryTables(ctx), db.timers, db.remoteSessions], async () => {
    await db.remoteSessions.add({
      ...args,
      interventionId: args.interventionId ?? null,
      technicianId: ctx.technicianId,
      version: 0
    })
    await enqueue(db, 'remoteSession.log.v1', args, ctx.now())
    if (
      input.billed &&
      input.interventionId &&
      Date.parse(ended.endedAt) - Date.parse(ended.startedAt) >= 1000
    ) {
      // A timer running on the intervention meanwhile counted these minutes too.
      await yieldTimerTo(ctx, input.interventionId, ended.startedAt, ended.endedAt)
      await writeEntry(ctx, {
        interventionId: input.interventionId,
        startedAt: ended.startedAt,
        endedAt: ended.endedAt,
        mode: 'remote',
        source: 'remoteSession',
        assetId: input.assetId,
        ...(input.note?.trim() ? { note: input.note.trim() } : {})
      })
    }
  })
}
