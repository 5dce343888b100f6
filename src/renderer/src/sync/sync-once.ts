import {
  MAX_PUSH_MUTATIONS,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse
} from '../../../shared/sync/protocol'
import type { CarnetDb } from '../db/database'
import { applyPullPage } from './apply-pull'
import { readSyncMeta } from './client-ids'

export interface Transport {
  push(request: PushRequest): Promise<PushResponse>
  pull(request: PullRequest): Promise<PullResponse>
}

export interface SyncReport {
  pushed: number
  pulledOps: number
  pages: number
  rejected: number
}

/** Pages to pull in one run before yielding to the next trigger (a first sync keeps going). */
const MAX_PAGES_PER_RUN = 1000

/**
 * One sync pass: push the outbox in batches (oldest first), then pull pages until the server has
 * nothing more. Outbox entries leave only when a pull acknowledges them, so a crash anywhere
 * here loses nothing and a replayed push is skipped by the server.
 */
export async function syncOnce(
  db: CarnetDb,
  transport: Transport,
  onPage?: () => void
): Promise<SyncReport> {
  const meta = await readSyncMeta(db)
  const report: SyncReport = { pushed: 0, pulledOps: 0, pages: 0, rejected: 0 }

  let after = meta.ackedMutationId
  for (;;) {
    const batch = await db.outbox
      .where('mutationId')
      .above(after)
      .limit(MAX_PUSH_MUTATIONS)
      .toArray()
    if (batch.length === 0) break
    const { lastMutationId } = await transport.push({
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: SCHEMA_VERSION,
      clientGroupId: meta.clientGroupId,
      clientId: meta.clientId,
      mutations: batch.map((m) => ({
        id: m.mutationId,
        name: m.name,
        args: m.args,
        clientTime: m.clientTime
      }))
    })
    report.pushed += Math.max(0, lastMutationId - after)
    // The server stops at a gap or a transient failure: pull, and let the next run retry.
    if (lastMutationId <= after || lastMutationId < (batch.at(-1)?.mutationId ?? 0)) break
    after = lastMutationId
  }

  let cookie = meta.cookie
  for (let i = 0; i < MAX_PAGES_PER_RUN; i++) {
    const page = await transport.pull({
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: SCHEMA_VERSION,
      clientGroupId: meta.clientGroupId,
      cookie
    })
    const applied = await applyPullPage(db, meta.clientId, page)
    report.pages++
    report.pulledOps += applied.ops
    report.rejected += applied.rejected
    onPage?.()
    cookie = ((await db.meta.get('cookie'))?.value as string | null | undefined) ?? null
    if (!page.more && cookie !== null) break
    if (!page.more && cookie === null) continue // a refused change asked for a rebuild
  }
  return report
}
