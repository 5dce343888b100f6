import { MUTATIONS, type MutationArgs, type MutationName } from '../../../shared/sync/mutations'
import type { CarnetDb } from './database'
import { parseOrThrow } from './validate'

const COUNTER_KEY = 'mutationCounter'

/**
 * Appends a mutation to the outbox. Must run inside the caller's transaction (which includes
 * `outbox` and `meta`), so the change and its outbox entry commit together or not at all.
 * Mutation ids are a per-client counter starting at 1, strictly increasing by 1 (sync.md).
 */
export async function enqueue<N extends MutationName>(
  db: CarnetDb,
  name: N,
  args: MutationArgs<N>,
  nowMs: number
): Promise<number> {
  const checked = parseOrThrow(MUTATIONS[name], args)
  const counter = await db.meta.get(COUNTER_KEY)
  const mutationId = (typeof counter?.value === 'number' ? counter.value : 0) + 1
  await db.meta.put({ key: COUNTER_KEY, value: mutationId })
  await db.outbox.add({
    mutationId,
    name,
    args: checked,
    clientTime: new Date(nowMs).toISOString()
  })
  return mutationId
}

/**
 * Changes not acknowledged by the server yet. Acknowledged entries stay in the outbox until
 * their pull ends (apply-pull.ts), so the outbox's size is not this count.
 */
export async function countPending(db: CarnetDb): Promise<number> {
  const acked = (await db.meta.get('ackedMutationId'))?.value
  return db.outbox
    .where('mutationId')
    .above(typeof acked === 'number' ? acked : 0)
    .count()
}

/** Tables every repository transaction that enqueues must include. */
export function outboxTables(db: CarnetDb) {
  return [db.outbox, db.meta] as const
}
