import { randomUUID } from 'node:crypto'
import { authenticate } from '../src/auth/sessions'
import { configFromEnv } from '../src/config'
import type { Db } from '../src/db/db'
import { applyPush } from '../src/sync/push'
import { currentVersion } from '../src/sync/versions'
import { rawPushTx, timedDb } from './raw-sql'
import { entryArgs, pushBody, type ClientIds, type Seeded } from './world'

export interface DirectPushes {
  /** By push size: ms of applyPush called with its Db (no HTTP, auth or body parsing). */
  handler: Record<number, number[]>
  /** By push size: ms of one transaction of as many single-row INSERTs of the same rows. */
  raw: Record<number, number[]>
  /** Where a 50-mutation push spends its time, statement by statement (savepoints not shown). */
  breakdown: Array<{ sql: string; perPushMs: number; perPushCalls: number }>
}

let offset = 1_000_000

/**
 * The push handler timed directly, interleaved with the raw floor of the same size, for a signed
 * in device (its access token gives the same AuthContext the route would build).
 */
export async function directPushes(
  db: Db,
  seeded: Seeded,
  token: string,
  sizes: readonly number[],
  perSize: number,
  warmup: number
): Promise<DirectPushes> {
  const auth = await authenticate(db, `Bearer ${token}`)
  const config = configFromEnv({})
  const own: ClientIds = { clientGroupId: randomUUID(), clientId: randomUUID(), next: 1 }
  const out: DirectPushes = {
    handler: Object.fromEntries(sizes.map((s) => [s, []])),
    raw: Object.fromEntries(sizes.map((s) => [s, []])),
    breakdown: []
  }
  const next = (n: number) => entryArgs(seeded.targets, n, (offset += n))
  for (let i = 0; i < warmup + perSize * sizes.length; i++) {
    const size = sizes[i % sizes.length] as number
    const body = pushBody(own, next(size))
    const t0 = performance.now()
    const result = await applyPush(db, config, auth, body)
    const t1 = performance.now()
    if (result.lastMutationId !== own.next - 1) throw new Error('direct push not applied')
    const version = await currentVersion(db)
    const rows = next(size)
    const t2 = performance.now()
    await rawPushTx(db, seeded, rows, version)
    const t3 = performance.now()
    if (i < warmup) continue
    out.handler[size]?.push(t1 - t0)
    out.raw[size]?.push(t3 - t2)
  }
  const timed = timedDb(db)
  const runs = 4
  for (let i = 0; i < runs; i++) await applyPush(timed.db, config, auth, pushBody(own, next(50)))
  out.breakdown = [...timed.spent]
    .map(([sql, v]) => ({ sql, perPushMs: v.ms / runs, perPushCalls: v.n / runs }))
    .sort((a, b) => b.perPushMs - a.perPushMs)
  return out
}
