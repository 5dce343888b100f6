import { isDomainError } from '../../../src/shared/domain'
import type { PushRequest, PushResponse } from '../../../src/shared/sync/protocol'
import type { AuthContext } from '../auth/sessions'
import type { ServerConfig } from '../config'
import {
  isDataDbError,
  isTransientDbError,
  prepared,
  type Db,
  type Statement,
  type Tx
} from '../db/db'
import { HttpError } from '../http/errors'
import { parseAll, parsedAt, SINGLE_WRITE, type Parsed } from './mutation-args'
import type { MutationContext } from './mutation-context'
import { Rejection } from './rejection'
import { endPush } from './push-end'
import { pushTurns } from './push-turns'
import { tallyInterventions, type UnitsHead } from './recompute'
import { MutationSavepoints, NeedsSavepoints } from './savepoints'
import {
  addTimeEntries,
  checkAndInsert,
  type BatchEntry,
  type BatchResult,
  type CheckRow,
  type ClientAt
} from './time-entry-batch'
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

const ADD = 'timeEntry.add.v1'
/** Below this, a run of time entries goes one by one (two statements either way). */
const MIN_BATCH = 2

/**
 * How many mutations from `k` form a run for addTimeEntries: consecutive ids, all
 * `timeEntry.add.v1`, no entry id twice (a second use of an id depends on the first's outcome).
 */
function addRun(mutations: PushRequest['mutations'], k: number): number {
  const ids = new Set<string>()
  let n = 0
  let previous: number | null = null
  for (const m of mutations.slice(k)) {
    if (m.name !== ADD || (previous !== null && m.id !== previous + 1)) break
    previous = m.id
    const args = m.args as { id?: unknown } | null
    const id = typeof args?.id === 'string' ? args.id.toLowerCase() : null
    if (id !== null) {
      if (ids.has(id)) break
      ids.add(id)
    }
    n++
  }
  return n
}

/**
 * A run of `timeEntry.add.v1` in one statement (time-entry-batch.ts): each mutation's
 * rejection (invalid args included) or null, and the units heads the statement read (see
 * BatchResult). Returns null when the run must go one by one instead: an unexpected failure,
 * rolled back to its savepoint. Without savepoints (the optimistic first attempt) such a failure
 * redoes the push with them, like a single mutation's.
 */
async function applyAddRun(
  ctx: MutationContext,
  run: PushRequest['mutations'],
  parsed: readonly Parsed[],
  client: ClientAt,
  optimistic: boolean,
  log: PushLog | undefined,
  checked?: readonly CheckRow[]
): Promise<BatchResult | null> {
  const { valid, invalid } = runEntries(run, parsed)
  const outcomes: Array<Rejection | null> = run.map((_, index) => invalid.get(index) ?? null)
  let heads: BatchResult['heads'] = null
  const apply = async () => {
    const result = await addTimeEntries(
      ctx,
      valid.map((v) => v.entry),
      client,
      checked
    )
    for (const [j, v] of valid.entries()) outcomes[v.index] = result.outcomes[j] ?? null
    heads = result.heads
  }
  try {
    if (optimistic) await apply()
    else await ctx.tx.savepoint(apply)
    return { outcomes, heads }
  } catch (error) {
    if (isTransientDbError(error)) throw error
    if (optimistic) throw new NeedsSavepoints('a batch of time entries failed')
    const e = error as { code?: string; message?: string }
    log?.warn({ code: e.code, detail: e.message }, 'push: time entry batch fell back')
    ctx.dirty.clear()
    return null
  }
}

/**
 * Registers the client on its first push and locks its row, and bumps the global version if the
 * push has a mutation to apply (the next id is among its ids): one round trip for both. The
 * client's row lock comes before the version lock, as before any mutation's row locks.
 */
const LOCK_CLIENT = prepared(`WITH c AS (
       INSERT INTO clients (client_id, client_group_id, technician_id) VALUES ($1, $2, $3)
       ON CONFLICT (client_id) DO UPDATE SET client_id = clients.client_id
       RETURNING client_group_id, technician_id, last_mutation_id),
     v AS (
       UPDATE server_version SET value = value + 1
        WHERE id = 1 AND EXISTS (SELECT 1 FROM c WHERE c.technician_id = $3
          AND c.client_group_id = $2 AND c.last_mutation_id + 1 = ANY($4::bigint[]))
       RETURNING value)
     SELECT c.client_group_id, c.technician_id, c.last_mutation_id,
            (SELECT value FROM v) AS version
       FROM c`)

interface ClientRow {
  client_group_id: string
  technician_id: string
  last_mutation_id: number
  version: number | null
}

/**
 * LOCK_CLIENT for this push. DO UPDATE (a no-op write) rather than DO NOTHING: it locks and
 * returns the existing row.
 */
function lockStatement(auth: AuthContext, request: PushRequest): Statement {
  return [
    LOCK_CLIENT,
    [request.clientId, request.clientGroupId, auth.technicianId, request.mutations.map((m) => m.id)]
  ]
}

/**
 * Reads LOCK_CLIENT's row: refuses a client id that is not the caller's, hands the version, if
 * bumped, to `versions`, and returns the client's counter as stored.
 */
function lockedClient(
  rows: readonly Record<string, unknown>[],
  auth: AuthContext,
  request: PushRequest,
  versions: VersionAllocator
): number {
  const client = rows[0] as ClientRow | undefined
  if (
    !client ||
    client.technician_id !== auth.technicianId ||
    client.client_group_id !== request.clientGroupId
  ) {
    throw new HttpError(
      403,
      'client.forbidden',
      'This client id belongs to another user or client group: start a new client after signing in.'
    )
  }
  if (client.version !== null) versions.preset(client.version)
  return client.last_mutation_id
}

/**
 * The valid entries of a run of `timeEntry.add.v1` (parsed), and each rejected one's index and
 * rejection (invalid arguments).
 */
function runEntries(
  run: PushRequest['mutations'],
  parsed: readonly Parsed[]
): { valid: Array<{ index: number; entry: BatchEntry }>; invalid: Map<number, Rejection> } {
  const valid: Array<{ index: number; entry: BatchEntry }> = []
  const invalid = new Map<number, Rejection>()
  for (const [index, m] of run.entries()) {
    const p = parsed[index]
    if (p === undefined) throw new Error('push: no parsed mutation at this position')
    if (p instanceof Rejection) invalid.set(index, p)
    else
      valid.push({ index, entry: { args: p.args as BatchEntry['args'], clientTime: m.clientTime } })
  }
  return { valid, invalid }
}

/**
 * Locks the client (LOCK_CLIENT) and returns its counter as stored. When the push begins with a
 * run of time entries and is on its optimistic attempt, the run's CHECK_AND_INSERT travels in
 * the same round trip, written for the client being one mutation behind the push's first id
 * (the usual case); its rows are returned as `checked` when it was, and are dropped otherwise
 * (the statement then wrote and locked nothing). A database error in that round trip redoes the
 * push with savepoints, where each goes alone.
 */
async function lockAndCheck(
  tx: Tx,
  auth: AuthContext,
  request: PushRequest,
  parsed: readonly Parsed[],
  optimistic: boolean,
  versions: VersionAllocator,
  contextFor: (clientTime: string) => MutationContext
): Promise<{ start: number; checked?: readonly CheckRow[] }> {
  const first = request.mutations[0]
  const run = optimistic && first ? addRun(request.mutations, 0) : 0
  if (!first || run < MIN_BATCH) {
    const { rows } = await tx.query(...lockStatement(auth, request))
    return { start: lockedClient(rows, auth, request, versions) }
  }
  const expected: ClientAt = {
    clientId: request.clientId,
    clientGroupId: request.clientGroupId,
    lastMutationId: first.id - 1
  }
  const { valid } = runEntries(request.mutations.slice(0, run), parsed.slice(0, run))
  let results
  try {
    results = await tx.queryAll([
      lockStatement(auth, request),
      checkAndInsert(
        contextFor(first.clientTime),
        valid.map((v) => v.entry),
        expected
      )
    ])
  } catch (error) {
    if (isTransientDbError(error)) throw error
    throw new NeedsSavepoints('the first statements of the push failed')
  }
  const start = lockedClient(results[0]?.rows ?? [], auth, request, versions)
  if (start !== expected.lastMutationId) return { start }
  return { start, checked: (results[1]?.rows ?? []) as unknown as CheckRow[] }
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
          if (result.heads) for (const [id, head] of result.heads) known.set(id, head)
          else known.clear()
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
