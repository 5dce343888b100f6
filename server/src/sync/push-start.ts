/**
 * The start of a push: the client's row registered and locked, the version bumped, and, when the
 * push begins with a run of time entries, that run checked and inserted in the same round trip
 * (the counterpart of push-end.ts).
 */
import type { PushRequest } from '../../../src/shared/sync/protocol'
import type { AuthContext } from '../auth/sessions'
import { isTransientDbError, prepared, type Statement, type Tx } from '../db/db'
import { HttpError } from '../http/errors'
import { addRun, MIN_BATCH, runEntries } from './add-runs'
import type { Parsed } from './mutation-args'
import type { MutationContext } from './mutation-context'
import { NeedsSavepoints } from './savepoints'
import { checkAndInsert, type CheckRow, type ClientAt } from './time-entry-batch'
import type { VersionAllocator } from './versions'

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
 * Locks the client (LOCK_CLIENT) and returns its counter as stored. When the push begins with a
 * run of time entries and is on its optimistic attempt, the run's CHECK_AND_INSERT travels in
 * the same round trip, written for the client being one mutation behind the push's first id
 * (the usual case); its rows are returned as `checked` when it was, and are dropped otherwise
 * (the statement then wrote and locked nothing). A database error in that round trip redoes the
 * push with savepoints, where each goes alone.
 */
export async function lockAndCheck(
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
