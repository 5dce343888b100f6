/**
 * Runs of `timeEntry.add.v1` (the bulk of real traffic): which mutations of a push form one, and
 * applying one in a single statement (time-entry-batch.ts).
 */
import type { PushRequest } from '../../../src/shared/sync/protocol'
import { isTransientDbError } from '../db/db'
import type { Parsed } from './mutation-args'
import type { MutationContext } from './mutation-context'
import type { PushLog } from './push'
import { Rejection } from './rejection'
import { NeedsSavepoints } from './savepoints'
import {
  addTimeEntries,
  type BatchEntry,
  type BatchResult,
  type CheckRow,
  type ClientAt
} from './time-entry-batch'

const ADD = 'timeEntry.add.v1'
/** Below this, a run of time entries goes one by one (two statements either way). */
export const MIN_BATCH = 2

/**
 * How many mutations from `k` form a run for addTimeEntries: consecutive ids, all
 * `timeEntry.add.v1`, no entry id twice (a second use of an id depends on the first's outcome).
 */
export function addRun(mutations: PushRequest['mutations'], k: number): number {
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
export async function applyAddRun(
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
  let heads: BatchResult['heads'] = new Map()
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
 * The valid entries of a run of `timeEntry.add.v1` (parsed), and each rejected one's index and
 * rejection (invalid arguments).
 */
export function runEntries(
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
