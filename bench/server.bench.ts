import { test } from '@playwright/test'
import { cpus } from 'node:os'
import { resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { CpuSplit } from './cpu-time'
import { serverBench } from './server-deps'
import { latencyPhase, loadPhase, pullPhase, SIZES, type Ctx, type LoadPlan } from './server-phases'
import { startInProcess, startServerProcess } from './server-process'
import { reportTable, summarizeLine, type Line, type LineSummary } from './server-report'
import { HttpClient, login } from './server-world'
import { summarize, writeJson } from './stats'

const RESULTS = resolve(__dirname, '..', 'bench-results', 'server.json')

interface Plan {
  interventions: number
  timeEntries: number
  pullRounds: number
  perSize: number
  capacity: LoadPlan
  /** Every entry of a push on its own intervention: the server re-stamps each. */
  ingest: LoadPlan
  /** As many rows, 10 entries per intervention: a tenth of the interventions to re-stamp. */
  grouped: LoadPlan
}

const PLANS: Record<'postgres' | 'pglite', Plan> = {
  postgres: {
    interventions: 20_000,
    timeEntries: 80_000,
    pullRounds: 5,
    perSize: 100,
    capacity: { clients: 16, batch: 20, maxMs: 8000, maxPushes: 4000 },
    ingest: { clients: 4, batch: 200, maxMs: 8000, maxPushes: 120 },
    grouped: { clients: 4, batch: 200, perIntervention: 10, maxMs: 8000, maxPushes: 120 }
  },
  pglite: {
    interventions: 5_000,
    timeEntries: 20_000,
    pullRounds: 2,
    perSize: 20,
    capacity: { clients: 16, batch: 20, maxMs: 4000, maxPushes: 1000 },
    ingest: { clients: 4, batch: 200, maxMs: 4000, maxPushes: 30 },
    grouped: { clients: 4, batch: 200, perIntervention: 10, maxMs: 4000, maxPushes: 30 }
  }
}

/**
 * A full collection in this process (the load generator) between phases, when the server runs
 * in a process of its own (PostgreSQL). The pulls leave this process some 300 MB of parsed
 * pages; collecting them during the next phase took CPU from the server and PostgreSQL on these
 * 2 cores: the 50-mutation push's p95 server time was 10.2-11.7 ms without it, 9.1-9.5 ms with
 * it and 8.9-9.0 ms with the latency phase run before any pull (same machine and hour). The
 * server's own collections stay in its figures. Not with PGlite: that server runs in this
 * process, and a collection here would clear its heap too.
 */
function collectLoadGeneratorGarbage(kind: 'postgres' | 'pglite'): void {
  if (kind !== 'postgres') return
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

async function runBackend(kind: 'postgres' | 'pglite', log: (l: string) => void) {
  const plan = PLANS[kind]
  const cleanup: Array<() => Promise<void> | void> = []
  try {
    const { db, databaseUrl, close } = await serverBench.openBench(kind, 'carnet_bench')
    cleanup.unshift(close)
    const s0 = performance.now()
    const seeded = await serverBench.seedWorld(db, plan.interventions, plan.timeEntries)
    log(`${kind}: seeded ${seeded.total} rows in ${(performance.now() - s0).toFixed(0)} ms`)
    // PostgreSQL: the real CLI in its own process; PGlite: embedded in this process, as deployed.
    const server = databaseUrl
      ? await startServerProcess({ databaseUrl })
      : await startInProcess(db)
    cleanup.unshift(() => server.stop())
    const http = new HttpClient(server.url, 32)
    cleanup.unshift(() => http.close())
    const devices = []
    for (let i = 0; i < plan.capacity.clients; i++)
      devices.push(await login(http, seeded, `bench ${i}`))
    const ctx: Ctx = { db, server, http, seeded, devices, log: (l) => log(`${kind}: ${l}`) }

    const pull = await pullPhase(ctx, plan.pullRounds)
    collectLoadGeneratorGarbage(kind)
    const latency = await latencyPhase(ctx, plan.perSize)
    collectLoadGeneratorGarbage(kind)
    const capacity = await loadPhase(ctx, plan.capacity)
    collectLoadGeneratorGarbage(kind)
    const ingest = await loadPhase(ctx, plan.ingest)
    collectLoadGeneratorGarbage(kind)
    const grouped = await loadPhase(ctx, plan.grouped)
    return {
      kind,
      plan,
      seeded: { total: seeded.total, counts: seeded.counts },
      pull,
      latency,
      capacity,
      ingest,
      grouped
    }
  } finally {
    for (const step of cleanup) await step()
  }
}

type Result = Awaited<ReturnType<typeof runBackend>>

/** A phase's CPU per push by process; the in-process (PGlite) server counts as load generator. */
function cpuText(cpu: CpuSplit): string {
  const ms = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2))
  return `${ms(cpu.serverMs)} / ${ms(cpu.postgresMs)} / ${ms(cpu.loadMs)}`
}

/** Server times of one size's warm-up pushes: its first push after start, slowest and last. */
function warmText(ms: readonly number[]): string {
  const at = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1))
  return `${at(ms[0])} / ${at(ms.length ? Math.max(...ms) : undefined)} / ${at(ms.at(-1))}`
}

function coresText(cpu: CpuSplit): string {
  return cpu.coresBusy === null ? 'n/a' : `${cpu.coresBusy.toFixed(2)} of ${cpus().length}`
}

function lines(r: Result): Line[] {
  const tag = r.kind === 'postgres' ? 'PG' : 'PGlite'
  const p50 = (xs: number[]) => summarize(xs).p50
  const out: Line[] = []
  for (const size of SIZES) {
    const raw = p50(r.latency.direct.raw[size] ?? [])
    const rawLabel = `raw tx of ${size} INSERTs`
    out.push(
      {
        what: `${tag} push ${size} mut., server time`,
        unit: 'ms',
        better: 'lower',
        samples: r.latency.server.get(size) ?? [],
        goal: 10,
        baseline: raw,
        baselineLabel: rawLabel
      },
      {
        what: `${tag} push ${size} mut., end to end HTTP`,
        unit: 'ms',
        better: 'lower',
        samples: r.latency.e2e.get(size) ?? [],
        goal: 100,
        baseline: raw,
        baselineLabel: rawLabel
      }
    )
  }
  out.push({
    what: `${tag} push 50 mut., handler only (applyPush)`,
    unit: 'ms',
    better: 'lower',
    samples: r.latency.direct.handler[50] ?? [],
    goal: 10,
    baseline: p50(r.latency.direct.raw[50] ?? []),
    baselineLabel: 'raw tx of 50 INSERTs'
  })
  // The server's rate and, beside it, the floor of the writes sync.md requires of the same
  // pushes, as one statement with no check (raw-sql.ts rawRequiredWrites): not the server, but
  // where the floor misses a goal, a server that commits each push in a transaction of its own
  // would miss it too, on this machine in this run.
  const rates = (
    phase: Result['capacity'],
    per: number,
    what: { server: string; floor: string },
    line: Pick<Line, 'unit' | 'goal' | 'baseline' | 'baselineLabel'>
  ) => {
    const samples = (windows: number[]) => windows.map((w) => w * per)
    out.push({ ...line, what: what.server, better: 'higher', samples: samples(phase.http.windows) })
    out.push({ ...line, what: what.floor, better: 'higher', samples: samples(phase.floor.windows) })
  }
  const floorLabel = (unit: string) =>
    `${tag} floor of a push's required writes, ${unit} (not the server)`
  const { clients, batch } = r.plan.capacity
  rates(
    r.capacity,
    1,
    {
      server: `${tag} pushes/s, ${clients} clients x ${batch} mut.`,
      floor: floorLabel('pushes/s')
    },
    {
      unit: '/s',
      goal: 500,
      baseline: r.capacity.rawTx.perS,
      baselineLabel: `raw tx of ${batch} INSERTs, same clients`
    }
  )
  for (const [g, plan, shape] of [
    [r.ingest, r.plan.ingest, 'each on its own intervention'],
    [r.grouped, r.plan.grouped, `${r.plan.grouped.perIntervention} per intervention`]
  ] as const)
    rates(
      g,
      plan.batch,
      {
        server: `${tag} ingest rows/s, ${plan.clients} clients x ${plan.batch}-mut. pushes, ${shape}`,
        floor: floorLabel(`rows/s, ${shape}`)
      },
      {
        unit: 'rows/s',
        goal: 50_000,
        baseline: g.rawBulk.perS * plan.batch,
        baselineLabel: `INSERT..unnest ${plan.batch} rows`
      }
    )
  out.push({
    what: `${tag} pull rows/s over HTTP (client)`,
    unit: 'rows/s',
    better: 'higher',
    samples: r.pull.httpRowsPerS,
    goal: 100_000,
    baseline: p50(r.pull.rawRowsPerS),
    baselineLabel: 'raw keyset SELECT'
  })
  out.push({
    what: `${tag} pull rows/s, server time`,
    unit: 'rows/s',
    better: 'higher',
    samples: r.pull.serverRowsPerS,
    goal: 100_000,
    baseline: p50(r.pull.rawRowsPerS),
    baselineLabel: 'raw keyset SELECT'
  })
  return out
}

test('sync server: push latency, capacity, ingest and pull on PostgreSQL and PGlite', async () => {
  test.setTimeout(8 * 60_000)
  const log = (line: string) => console.log(`[bench:server] ${line}`)
  const results: Result[] = []
  if (serverBench.pgAvailable()) results.push(await runBackend('postgres', log))
  else
    log(
      'PostgreSQL figures SKIPPED: no /usr/lib/postgresql/15/bin (scripts/install-system-deps.sh)'
    )
  results.push(await runBackend('pglite', log))

  const summaries: LineSummary[] = results.flatMap(lines).map(summarizeLine)
  console.log(`\n${reportTable(summaries)}\n`)
  const extras = results.map((r) => ({
    backend: r.kind,
    'pull pages / bytes': `${r.pull.pages} / ${r.pull.bytes}`,
    'pull page server ms p50/p95': `${summarize(r.pull.pageServerMs).p50.toFixed(1)} / ${summarize(r.pull.pageServerMs).p95.toFixed(1)}`,
    'warm-up (not counted): 50-mut. push server ms, first / max / last': warmText(
      r.latency.warm.get(50) ?? []
    ),
    'capacity push latency ms p50/p95': `${summarize(r.capacity.http.latency).p50.toFixed(1)} / ${summarize(r.capacity.http.latency).p95.toFixed(1)}`,
    'capacity server time ms p50/p95': `${summarize(r.capacity.server).p50.toFixed(1)} / ${summarize(r.capacity.server).p95.toFixed(1)}`,
    'capacity raw unnest tx/s (same 20 rows)': r.capacity.rawBulk.perS.toFixed(0),
    'ingest 200-mut. push server ms p50/p95': `${summarize(r.ingest.server).p50.toFixed(0)} / ${summarize(r.ingest.server).p95.toFixed(0)}`,
    'ingest server ms per mutation (p50)': (
      summarize(r.ingest.server).p50 / r.plan.ingest.batch
    ).toFixed(2),
    'ingest raw tx of 200 single INSERTs rows/s': (
      r.ingest.rawTx.perS * r.plan.ingest.batch
    ).toFixed(0),
    'capacity CPU ms per push: server / PostgreSQL / load generator': cpuText(r.capacity.cpu),
    'capacity cores busy': coresText(r.capacity.cpu),
    'ingest CPU ms per push: server / PostgreSQL / load generator': cpuText(r.ingest.cpu),
    'ingest cores busy': coresText(r.ingest.cpu),
    [`grouped ingest ${r.plan.grouped.batch}-mut. push server ms p50/p95`]: `${summarize(r.grouped.server).p50.toFixed(0)} / ${summarize(r.grouped.server).p95.toFixed(0)}`,
    'grouped ingest CPU ms per push: server / PostgreSQL / load generator': cpuText(r.grouped.cpu),
    'grouped ingest cores busy': coresText(r.grouped.cpu)
  }))
  for (const e of extras) console.log(`  ${JSON.stringify(e)}`)
  for (const r of results) {
    console.log(`  ${r.kind}: one 50-mutation push (handler), ms per push by statement:`)
    for (const b of r.latency.direct.breakdown.slice(0, 8))
      console.log(
        `    ${b.perPushMs.toFixed(1).padStart(7)} ms ${String(b.perPushCalls).padStart(4)}x  ${b.sql}`
      )
  }
  writeJson(RESULTS, {
    when: new Date().toISOString(),
    cpus: cpus().length,
    node: process.version,
    lines: summaries,
    extras,
    raw: results.map((r) => ({
      ...r,
      latency: {
        e2e: Object.fromEntries(r.latency.e2e),
        server: Object.fromEntries(r.latency.server),
        warm: Object.fromEntries(r.latency.warm),
        direct: r.latency.direct
      }
    }))
  })
  console.log(`  written ${RESULTS}`)
})
