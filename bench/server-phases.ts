import { PULL_PAGE_SIZE } from '../src/shared/sync/protocol'
import { cpuMeter } from './cpu-time'
import { serverBench, type Db, type DirectPushes, type Seeded } from './server-deps'
import type { ServerProcess } from './server-process'
import { windowRates } from './server-report'
import { pullAll, push, type Device, type HttpClient } from './server-world'

const {
  entryArgs,
  rawIngest,
  rawPull,
  rawPushTx,
  rawRequiredWrites,
  rawClients,
  currentVersion,
  backendPid
} = serverBench

export interface Ctx {
  db: Db
  server: ServerProcess
  http: HttpClient
  seeded: Seeded
  devices: Device[]
  log(line: string): void
}

/**
 * A load phase: `clients` pushing `batch` time entries each, `perIntervention` consecutive
 * entries per intervention (1 by default).
 */
export interface LoadPlan {
  clients: number
  batch: number
  perIntervention?: number
  maxMs: number
  maxPushes: number
}

let offset = 0
const next = (ctx: Ctx, n: number, perIntervention = 1) => {
  offset += n
  return entryArgs(ctx.seeded.targets, n, offset, perIntervention)
}

/**
 * Full pulls over HTTP from fresh client groups, each beside a raw keyset SELECT of the rows,
 * after `warmup` rounds of both that are not counted (as the latency phase's first pushes are
 * not): a freshly started server's first pull also pays for compiling its code.
 */
export async function pullPhase(ctx: Ctx, rounds: number, warmup = 1) {
  const out = {
    httpRowsPerS: [] as number[],
    serverRowsPerS: [] as number[],
    rawRowsPerS: [] as number[],
    pages: 0,
    bytes: 0,
    pageServerMs: [] as number[]
  }
  for (let r = -warmup; r < rounds; r++) {
    const mark = ctx.server.mark()
    const t0 = performance.now()
    const device = ctx.devices[(r + warmup) % ctx.devices.length] as Device
    const pages = await pullAll(ctx.http, device)
    const ms = performance.now() - t0
    const ops = pages.reduce((n, p) => n + p.json.ops.length, 0)
    if (ops !== ctx.seeded.total)
      throw new Error(`pull brought ${ops} ops, ${ctx.seeded.total} expected`)
    const server = await ctx.server.settle('/api/v1/sync/pull', mark, pages.length)
    const serverMs = server.reduce((a, b) => a + b, 0)
    const r0 = performance.now()
    const raw = await rawPull(ctx.db, PULL_PAGE_SIZE)
    const rawMs = performance.now() - r0
    if (raw !== ctx.seeded.total)
      throw new Error(`raw pull read ${raw} rows, ${ctx.seeded.total} expected`)
    const round = r < 0 ? 'warm-up' : `${r + 1}/${rounds}`
    ctx.log(
      `pull ${round}: ${ops} ops in ${pages.length} pages, ${ms.toFixed(0)} ms over HTTP (server ${serverMs.toFixed(0)} ms), raw SELECT ${rawMs.toFixed(0)} ms`
    )
    if (r < 0) continue
    out.httpRowsPerS.push((ops * 1000) / ms)
    out.serverRowsPerS.push((ops * 1000) / serverMs)
    out.pageServerMs.push(...server)
    out.pages = pages.length
    out.bytes = pages.reduce((n, p) => n + p.bytes, 0)
    out.rawRowsPerS.push((raw * 1000) / rawMs)
  }
  return out
}

export const SIZES = [1, 20, 50] as const

/**
 * Pushes of the latency phase, cycling through SIZES, that are not counted: a freshly started
 * server runs its first pushes before V8 has optimized the push path. Measured (50-mutation
 * pushes, server time): the first ten after start took up to 19 ms, then p50 6.3 ms and p95
 * 9.4 ms, where 2 pushes of each size left p95 at 10.8 ms. Their server times are reported
 * beside the figures (`warm`), not hidden.
 */
export const LATENCY_WARMUP = 10 * SIZES.length

/**
 * Sequential pushes of 1, 20 and 50 timeEntry.add mutations over HTTP (end to end and Fastify's
 * server time), then the push handler called directly with its Db, interleaved with the raw
 * transaction of the same number of single-row INSERTs.
 */
export async function latencyPhase(ctx: Ctx, perSize: number, warmup = LATENCY_WARMUP) {
  const e2e = new Map<number, number[]>(SIZES.map((s) => [s, []]))
  const server = new Map<number, number[]>(SIZES.map((s) => [s, []]))
  // Server times of the warm-up pushes, by size.
  const warm = new Map<number, number[]>(SIZES.map((s) => [s, []]))
  const total = warmup + perSize * SIZES.length
  const mark = ctx.server.mark()
  const sizes: number[] = []
  for (let i = 0; i < total; i++) {
    const size = SIZES[i % SIZES.length] as number
    const res = await push(ctx.http, ctx.devices[i % ctx.devices.length] as Device, next(ctx, size))
    sizes.push(size)
    if (i >= warmup) e2e.get(size)?.push(res.ms)
  }
  const times = await ctx.server.settle('/api/v1/sync/push', mark, total)
  if (times.length !== total) throw new Error(`server logged ${times.length}/${total} pushes`)
  times.forEach((ms, i) => (i >= warmup ? server : warm).get(sizes[i] as number)?.push(ms))

  const direct: DirectPushes = await serverBench.directPushes(
    ctx.db,
    ctx.seeded,
    (ctx.devices[0] as Device).token,
    SIZES,
    perSize,
    warmup
  )
  return { e2e, server, warm, direct }
}

/**
 * `clients` workers, each its own device, pushing `batch`-mutation pushes back to back until
 * `maxPushes` in all or `maxMs`; then the same workers running each raw floor instead, same
 * bounds: single INSERTs in a transaction, one INSERT of them all, and the floor of a push's
 * required writes (raw-sql.ts), each worker with a client row of its own.
 */
export async function loadPhase(ctx: Ctx, options: LoadPlan) {
  const run = async (
    work: (worker: number) => Promise<void>,
    maxPushes = options.maxPushes,
    maxMs = options.maxMs
  ) => {
    const done: number[] = []
    const latency: number[] = []
    let issued = 0
    const t0 = performance.now()
    const deadline = t0 + maxMs
    await Promise.all(
      Array.from({ length: options.clients }, async (_, w) => {
        while (issued < maxPushes && performance.now() < deadline) {
          issued++
          const a = performance.now()
          await work(w)
          const b = performance.now()
          done.push(b)
          latency.push(b - a)
        }
      })
    )
    const t1 = performance.now()
    const perS = (done.length * 1000) / (t1 - t0)
    // Rates per tenth of the run when there are enough completions, else the run's one rate.
    const windows = done.length >= 40 ? windowRates(done, [], t0, t1, (t1 - t0) / 10) : [perS]
    return { count: done.length, ms: t1 - t0, perS, windows, latency }
  }
  const mark = ctx.server.mark()
  const meter = cpuMeter(ctx.server.pid, await backendPid(ctx.db))
  const http = await run(async (w) => {
    await push(
      ctx.http,
      ctx.devices[w % ctx.devices.length] as Device,
      next(ctx, options.batch, options.perIntervention)
    )
  })
  const cpu = meter(http.count, http.ms)
  const server = await ctx.server.settle('/api/v1/sync/push', mark, http.count)
  const version = await currentVersion(ctx.db)
  // The raw floors do as many pushes' worth of the same rows (at least 40), same workers.
  const same = Math.max(40, http.count)
  const rawTx = await run(
    () => rawPushTx(ctx.db, ctx.seeded, next(ctx, options.batch, options.perIntervention), version),
    same,
    5000
  )
  const rawBulk = await run(
    () => rawIngest(ctx.db, ctx.seeded, next(ctx, options.batch, options.perIntervention), version),
    same,
    5000
  )
  const clientIds = await rawClients(ctx.db, ctx.seeded, options.clients)
  const floor = await run(
    (w) =>
      rawRequiredWrites(
        ctx.db,
        ctx.seeded,
        next(ctx, options.batch, options.perIntervention),
        clientIds[w] as string
      ),
    same,
    5000
  )
  ctx.log(
    `${options.clients} clients x ${options.batch} mutations: ${http.count} pushes in ${http.ms.toFixed(0)} ms = ${http.perS.toFixed(0)}/s; raw tx ${rawTx.perS.toFixed(0)}/s; raw unnest ${rawBulk.perS.toFixed(0)}/s; required writes floor ${floor.perS.toFixed(0)}/s`
  )
  return { http, server, rawTx, rawBulk, floor, cpu }
}
