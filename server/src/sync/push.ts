import { isDomainError } from '../../../src/shared/domain'
import type { PushRequest, PushResponse } from '../../../src/shared/sync/protocol'
import type { AuthContext } from '../auth/sessions'
import type { ServerConfig } from '../config'
import { isDataDbError, type Db, type Tx } from '../db/db'
import { addRun, applyAddRun, MIN_BATCH } from './add-runs'
import { parseAll, parsedAt, SINGLE_WRITE, type Parsed } from './mutation-args'
import type { MutationContext } from './mutation-context'
import { Rejection } from './rejection'
import { endPush } from './push-end'
import { lockAndCheck } from './push-start'
import { pushTurns } from './push-turns'
import { tallyInterventions, type UnitsHead } from './recompute'
import { MutationSavepoints, NeedsSavepoints } from './savepoints'
import type { ClientAt } from './time-entry-batch'
import { TouchList } from './touch'
import { VersionAllocator } from './versions'

/** Where a push reports what the client must not see (a database error's own words). */
export interface PushLog {
  warn(detail: Record<string, unknown>, message: string): void
}

/** PostgreSQL text cannot hold U+0000; a rejection must be storable whatever the client sent. */
const storable = (text: string, max: number): string =>
  text.replaceAll('\u0000', '\ufffd').slice(0, max)

async function recordRejection(
  tx: Tx,
  request: PushRequest,
  auth: AuthContext,
  mutation: PushRequest['mutations'][number],
  rejection: Rejection,
  version: number
): Promise<void> {
  await tx.query(
    `INSERT INTO rejections (id, client_group_id, client_id, technician_id, mutation_id, name,
       code, reason, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [
      `${request.clientId.toLowerCase()}:${mutation.id}`,
      request.clientGroupId,
      request.clientId,
      auth.technicianId,
      mutation.id,
      storable(mutation.name, 100),
      storable(rejection.code, 100),
      storable(rejection.reason, 2000),
      version
    ]
  )
}

/**
 * Permanent failures become rejections; anything else aborts the whole push. A database's own
 * message names tables and constraints: it goes to the server log, the client gets plain words.
 */
function asRejection(error: unknown, log: PushLog | undefined, name: string): Rejection | null {
  if (error instanceof Rejection) return error
  if (isDataDbError(error)) {
    const e = error as { code?: string; message?: string }
    log?.warn({ mutation: name.slice(0, 100), code: e.code, detail: e.message }, 'push: data error')
    return new Rejection(
      'validation.failed',
      'The server could not store this change: one of its values is not acceptable.'
    )
  }
  if (isDomainError(error)) return new Rejection(error.code, error.message)
  return null
}

/**
 * Applies a push (sync.md "Push") in one transaction: the client's row is locked, replays are
 * skipped, a gap stops the batch, each mutation runs in its own savepoint, and a permanent
 * failure is recorded as a rejection that still advances lastMutationId. Transient database
 * failures propagate (the route answers 503) and roll everything back. What every mutation
 * would otherwise repeat (re-stamping targets, recomputing units and balances) is done once per
 * push, just before commit.
 */
export async function applyPush(
  db: Db,
  config: ServerConfig,
  auth: AuthContext,
  request: PushRequest,
  log?: PushLog
): Promise<PushResponse> {
  const parsed = parseAll(request.mutations)
  return pushTurns(config).run(async () => {
    try {
      return await pushOnce(db, config, auth, request, parsed, log, true)
    } catch (error) {
      if (!(error instanceof NeedsSavepoints)) throw error
      return pushOnce(db, config, auth, request, parsed, log, false)
    }
  })
}

async function pushOnce(
  db: Db,
  config: ServerConfig,
  auth: AuthContext,
  request: PushRequest,
  parsed: readonly Parsed[],
  log: PushLog | undefined,
  optimistic: boolean
): Promise<PushResponse> {
  return db.transaction(async (tx) => {
    const versions = new VersionAllocator(tx)
    const touched = new Set<string>()
    const dirty = new Set<string>()
    // Units heads read by a batch after its writes; any later mutation may change them.
    const known = new Map<string, UnitsHead>()
    const targets = new TouchList()
    const now = new Date()
    const savepoints = new MutationSavepoints(tx, optimistic)
    let rejected = false
    const mutations = request.mutations
    // A context of its own per mutation or batch (its `dirty` set): one rolled back leaves
    // nothing to recompute.
    const contextFor = (clientTime: string): MutationContext => ({
      tx,
      auth,
      config,
      versions,
      clientTime,
      now,
      touched,
      dirty: new Set()
    })
    const { start, checked } = await lockAndCheck(
      tx,
      auth,
      request,
      parsed,
      optimistic,
      versions,
      contextFor
    )
    const client: ClientAt = {
      clientId: request.clientId,
      clientGroupId: request.clientGroupId,
      lastMutationId: start
    }
    let last = start
    // Runs that failed as a batch go one by one from here on (index into mutations).
    let batchFrom = 0
    // Mutations before this index were applied in a batch.
    let next = 0
    for (const [k, mutation] of mutations.entries()) {
      if (k < next) continue
      if (mutation.id <= last) continue
      if (mutation.id > last + 1) break
      // The version lock comes before any row lock, in every writer: no deadlock between pushes.
      const version = await versions.get()
      const run = k >= batchFrom ? addRun(mutations, k) : 0
      if (run >= MIN_BATCH) {
        const slice = mutations.slice(k, k + run)
        const ctx = contextFor(mutation.clientTime)
        const result = await applyAddRun(
          ctx,
          slice,
          parsed.slice(k, k + run),
          client,
          optimistic,
          log,
          k === 0 ? checked : undefined
        )
        if (result) {
          for (const id of ctx.dirty) dirty.add(id)
          for (const [id, head] of result.heads) known.set(id, head)
          for (const [j, m] of slice.entries()) {
            const rejection = result.outcomes[j]
            if (rejection) {
              await recordRejection(tx, request, auth, m, rejection, version)
              rejected = true
            }
            targets.add(m.name, m.args)
          }
          last = mutation.id + run - 1
          next = k + run
          continue
        }
        batchFrom = k + run
      }
      known.clear()
      const ctx = contextFor(mutation.clientTime)
      try {
        await savepoints.run(SINGLE_WRITE.has(mutation.name), async () => {
          const { handler, args } = parsedAt(parsed, k)
          await handler(ctx, args as never)
        })
        for (const id of ctx.dirty) dirty.add(id)
      } catch (error) {
        const rejection = asRejection(error, log, mutation.name)
        if (!rejection) throw error
        await recordRejection(tx, request, auth, mutation, rejection, version)
        rejected = true
      }
      targets.add(mutation.name, mutation.args)
      last = mutation.id
    }
    if (last !== start) {
      const version = await versions.get()
      const { changed, deltas, unreadable } = await tallyInterventions(tx, dirty, known)
      for (const bad of unreadable)
        log?.warn(
          { intervention: bad.id, code: bad.code, detail: bad.reason },
          'push: units left unchanged, a stored entry or policy breaks the rule'
        )
      await endPush(tx, {
        auth,
        version,
        targets,
        units: changed,
        deltas,
        clientId: request.clientId,
        lastMutationId: last,
        touched,
        rejected
      })
    }
    return { lastMutationId: last }
  })
}
