import { isIsoInstant, parseInstant, spanIssue } from '../../../src/shared/domain'
import { MUTATIONS, type MutationName } from '../../../src/shared/sync/mutations'
import type { PushRequest } from '../../../src/shared/sync/protocol'
import { zodIssues } from '../http/errors'
import {
  createIntervention,
  setInterventionStatus,
  updateIntervention
} from './intervention-mutators'
import type { MutationContext } from './mutation-context'
import { Rejection } from './rejection'
import { logRemoteSession } from './remote-session-mutators'
import { addTimeEntry, voidTimeEntry } from './time-entry-mutators'

/*
 * What each mutation of a push is: its handler, whether it may skip its savepoint, and how its
 * arguments are read (refusals worded as rejections). Used by push.ts.
 */

export type Handler = (ctx: MutationContext, args: never) => Promise<void>

const HANDLERS: Record<MutationName, Handler> = {
  'intervention.create.v1': createIntervention,
  'intervention.update.v1': updateIntervention,
  'intervention.setStatus.v1': setInterventionStatus,
  'timeEntry.add.v1': addTimeEntry,
  'timeEntry.void.v1': voidTimeEntry,
  'remoteSession.log.v1': logRemoteSession
}

/**
 * Handlers that write at most one statement, after all their checks (not `update`, which may log
 * conflicts before it writes): they may run without a savepoint (see MutationSavepoints).
 */
export const SINGLE_WRITE: ReadonlySet<string> = new Set<MutationName>([
  'intervention.create.v1',
  'intervention.setStatus.v1',
  'timeEntry.add.v1',
  'timeEntry.void.v1',
  'remoteSession.log.v1'
])

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

/** A mutation parsed (its handler and args) or refused, before the push takes any lock. */
export type Parsed = { handler: Handler; args: unknown } | Rejection

/**
 * Validates every mutation up front: the arguments are checked outside the transaction, so the
 * global version lock (held from the push's first statement to its commit) is not held while
 * they are.
 */
export function parseAll(mutations: PushRequest['mutations']): Parsed[] {
  return mutations.map((m) => {
    try {
      return parseArgs(m.name, m.args)
    } catch (error) {
      if (error instanceof Rejection) return error
      throw error
    }
  })
}

/** The handler and args of a parsed mutation; throws its rejection if it was refused. */
export function parsedAt(
  parsed: readonly Parsed[],
  k: number
): { handler: Handler; args: unknown } {
  const p = parsed[k]
  if (p === undefined) throw new Error('push: no parsed mutation at this position')
  if (p instanceof Rejection) throw p
  return p
}
