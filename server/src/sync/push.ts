import { isDomainError } from '../../../src/shared/domain'
import { MUTATIONS, type MutationName } from '../../../src/shared/sync/mutations'
import type { PushRequest, PushResponse } from '../../../src/shared/sync/protocol'
import { spanIssue, parseInstant, isIsoInstant } from '../../../src/shared/domain'
import type { AuthContext } from '../auth/sessions'
import type { ServerConfig } from '../config'
import { isDataDbError, type Db, type Tx } from '../db/db'
import { HttpError, zodIssues } from '../http/errors'
import {
  createIntervention,
  setInterventionStatus,
  updateIntervention
} from './intervention-mutators'
import type { MutationContext } from './mutation-context'
import { notifyPoke } from './pokes'
import { Rejection } from './rejection'
import { readScope, type Scope } from './scope'
import { addTimeEntry, voidTimeEntry } from './time-entry-mutators'
import { touchTargets } from './touch'
import { VersionAllocator } from './versions'

type Handler = (ctx: MutationContext, args: never) => Promise<void>

/** Where a push reports what the client must not see (a database error's own words). */
export interface PushLog {
  warn(detail: Record<string, unknown>, message: string): void
}

const HANDLERS: Record<MutationName, Handler> = {
  'intervention.create.v1': createIntervention,
  'intervention.update.v1': updateIntervention,
  'intervention.setStatus.v1': setInterventionStatus,
  'timeEntry.add.v1': addTimeEntry,
  'timeEntry.void.v1': voidTimeEntry
}

/** A span problem gets its own domain code (time.endBeforeStart...) rather than a generic one. */
function spanCode(args: unknown): string | null {
  const a = args as { startedAt?: unknown; endedAt?: unknown } | null
  if (!a || !isIsoInstant(a.startedAt) || !isIsoInstant(a.endedAt)) return null
  return spanIssue(parseInstant(a.startedAt), parseInstant(a.endedAt), true)?.code ?? null
}

function parseArgs(name: string, args: unknown): { handler: Handler; args: unknown } {
  if (!Object.hasOwn(MUTATIONS, name))
    throw new Rejection('mutation.unknown', `This server does not know the mutation "${name}".`)
  const key = name as MutationName
  const parsed = MUTATIONS[key].safeParse(args)
  if (!parsed.success) {
    const issues = zodIssues(parsed.error)
    const reason = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
    throw new Rejection(spanCode(args) ?? 'validation.failed', `Invalid ${name}: ${reason}`)
  }
  return { handler: HANDLERS[key], args: parsed.data }
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
 * failures propagate (the route answers 503) and roll everything back.
 */
export async function applyPush(
  db: Db,
  config: ServerConfig,
  auth: AuthContext,
  request: PushRequest,
  log?: PushLog
): Promise<PushResponse> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO clients (client_id, client_group_id, technician_id) VALUES ($1, $2, $3)
       ON CONFLICT (client_id) DO NOTHING`,
      [request.clientId, request.clientGroupId, auth.technicianId]
    )
    const { rows } = await tx.query<{
      client_group_id: string
      technician_id: string
      last_mutation_id: number
    }>(
      'SELECT client_group_id, technician_id, last_mutation_id FROM clients WHERE client_id = $1 FOR UPDATE',
      [request.clientId]
    )
    const client = rows[0]
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
    const start = client.last_mutation_id
    let last = start
    const versions = new VersionAllocator(tx)
    const ctx: MutationContext = {
      tx,
      auth,
      config,
      versions,
      clientTime: '',
      now: new Date(),
      touched: new Set()
    }
    let rejected = false
    let scope: Scope | null = null
    for (const mutation of request.mutations) {
      if (mutation.id <= last) continue
      if (mutation.id > last + 1) break
      // The version lock comes before any row lock, in every writer: no deadlock between pushes.
      const version = await versions.get()
      try {
        await tx.savepoint(async (sp) => {
          const { handler, args } = parseArgs(mutation.name, mutation.args)
          await handler({ ...ctx, tx: sp, clientTime: mutation.clientTime }, args as never)
        })
      } catch (error) {
        const rejection = asRejection(error, log, mutation.name)
        if (!rejection) throw error
        await recordRejection(tx, request, auth, mutation, rejection, version)
        rejected = true
      }
      scope ??= await readScope(tx, auth)
      for (const id of await touchTargets(tx, scope, mutation.name, mutation.args, version))
        ctx.touched.add(id)
      last = mutation.id
    }
    if (last !== start) {
      await tx.query(
        'UPDATE clients SET last_mutation_id = $2, updated_at = now() WHERE client_id = $1',
        [request.clientId, last]
      )
    }
    if (ctx.touched.size > 0 || rejected) {
      await notifyPoke(tx, { collectivites: [...ctx.touched], technicianId: auth.technicianId })
    }
    return { lastMutationId: last }
  })
}
