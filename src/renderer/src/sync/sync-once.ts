import {
  MAX_PUSH_MUTATIONS,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type PullRequest,
  type PullResponse,
  type PushMutation,
  type PushRequest,
  type PushResponse
} from '../../../shared/sync/protocol'
import type { CarnetDb } from '../db/database'
import { applyPullPage } from './apply-pull'
import { readSyncMeta, type SyncMeta } from './client-ids'

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

  // A refused push (4xx) must not stop this device from receiving others' work: pull anyway,
  // then report the refusal.
  let pushError: unknown = null
  try {
    report.pushed = await pushOutbox(db, transport, meta)
  } catch (error) {
    if (!isRefusal(error)) throw error
    pushError = error
  }

  let cookie = meta.cookie
  for (let i = 0; i < MAX_PAGES_PER_RUN; i++) {
    const page = await transport.pull({
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: SCHEMA_VERSION,
      clientGroupId: meta.clientGroupId,
      cookie
    })
    const applied = await applyPullPage(db, page)
    report.pages++
    report.pulledOps += applied.ops
    report.rejected += applied.rejected
    onPage?.()
    cookie = ((await db.meta.get('cookie'))?.value as string | null | undefined) ?? null
    if (!page.more) break
  }
  if (pushError) throw pushError
  return report
}

function isRefusal(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'sync.refused'
  )
}

/** Keeps each request well under the server's body limit, whatever the notes' length. */
const MAX_BATCH_BYTES = 512 * 1024

/** Pushes the outbox oldest first; returns how many mutations the server acknowledged. */
async function pushOutbox(db: CarnetDb, transport: Transport, meta: SyncMeta): Promise<number> {
  let after = meta.ackedMutationId
  let pushed = 0
  for (;;) {
    const candidates = await db.outbox
      .where('mutationId')
      .above(after)
      .limit(MAX_PUSH_MUTATIONS)
      .toArray()
    if (candidates.length === 0) return pushed
    const mutations: PushMutation[] = []
    let bytes = 0
    for (const m of candidates) {
      const mutation = { id: m.mutationId, name: m.name, args: m.args, clientTime: m.clientTime }
      bytes += JSON.stringify(mutation).length
      if (mutations.length > 0 && bytes > MAX_BATCH_BYTES) break
      mutations.push(mutation)
    }
    const { lastMutationId } = await transport.push({
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: SCHEMA_VERSION,
      clientGroupId: meta.clientGroupId,
      clientId: meta.clientId,
      mutations
    })
    pushed += Math.max(0, lastMutationId - after)
    // The server stops at a gap or a transient failure: pull, and let the next run retry.
    if (lastMutationId < (mutations.at(-1)?.id ?? 0)) return pushed
    after = lastMutationId
  }
}
