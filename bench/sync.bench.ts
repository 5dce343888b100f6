import { expect, test, type Page } from '@playwright/test'
import { resolve } from 'node:path'
// The page's window.carnetBench type (bench-entry declares it globally).
import type {} from '../src/renderer/src/bench/bench-entry'
import type { ApplyRun } from '../src/renderer/src/bench/sync'
import { startHost, type Host } from './host'
import { startInProcess, startServerProcess, type ServerProcess } from './server-process'
import { reportTable, summarizeLine, type Line } from './server-report'
import { serverBench } from './server-deps'
import { HttpClient, login, pullAll } from './server-world'
import { summarize, writeJson } from './stats'

const INTERVENTIONS = 20_000
const TIME_ENTRIES = 80_000
const REPS = 3
const CHUNK_PAGES = 4
/** Rows per bulkPut in the measured proposal (slicedApply). */
const SLICE = 250
const RESULTS = resolve(__dirname, '..', 'bench-results', 'sync.json')

const cleanup: Array<() => Promise<void> | void> = []
test.afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** A seeded server (PostgreSQL when installed, else embedded PGlite) and its database. */
async function seededServer(log: (l: string) => void) {
  const backend = serverBench.pgAvailable() ? 'postgres' : 'pglite'
  if (backend === 'pglite') log('PostgreSQL missing: serving from embedded PGlite')
  const { db, databaseUrl, close } = await serverBench.openBench(backend, 'carnet_sync_bench')
  cleanup.push(close)
  const seeded = await serverBench.seedWorld(db, INTERVENTIONS, TIME_ENTRIES)
  const server: ServerProcess = databaseUrl
    ? await startServerProcess({ databaseUrl })
    : await startInProcess(db)
  cleanup.push(() => server.stop())
  return { server, seeded, backend }
}

async function benchPage(page: Page, host: Host): Promise<void> {
  await page.goto(`${host.origin}/bench.html`)
  await page.waitForFunction(() => window.carnetBench !== undefined)
}

test('initial sync of 100k rows: syncOnce/applyPullPage vs raw Dexie bulkPut', async ({
  page,
  browser
}) => {
  test.setTimeout(8 * 60_000)
  const log = (line: string) => console.log(`[bench:sync] ${line}`)
  const s0 = performance.now()
  const { server, seeded, backend } = await seededServer(log)
  log(
    `${backend}: seeded ${seeded.total} rows (${JSON.stringify(seeded.counts)}) in ${(performance.now() - s0).toFixed(0)} ms`
  )

  // The real pull pages, fetched over loopback HTTP from Node by a signed-in lead.
  const http = new HttpClient(server.url, 4)
  cleanup.push(() => http.close())
  const lead = await login(http, seeded, 'sync bench')
  const mark = server.mark()
  const p0 = performance.now()
  const pages = await pullAll(http, lead)
  const pullMs = performance.now() - p0
  const serverPageMs = await server.settle('/api/v1/sync/pull', mark, pages.length)
  const ops = pages.reduce((n, p) => n + p.json.ops.length, 0)
  expect(ops).toBe(seeded.total)
  log(`pulled ${ops} ops in ${pages.length} pages over HTTP in ${pullMs.toFixed(0)} ms`)

  const host = await startHost()
  cleanup.push(() => host.stop())
  await benchPage(page, host)
  for (let i = 0; i < pages.length; i += CHUNK_PAGES) {
    const chunk = pages.slice(i, i + CHUNK_PAGES).map((p) => p.text)
    await page.evaluate((texts) => window.carnetBench!.loadPages(texts), chunk)
  }
  const loaded = await page.evaluate(() => window.carnetBench!.parsePages())
  expect(loaded.ops).toBe(seeded.total)
  log(
    `page holds ${loaded.pages} pages, ${loaded.bytes} bytes; JSON.parse of all: ${loaded.parseMs.toFixed(0)} ms`
  )

  const sync: ApplyRun[] = []
  const raw: ApplyRun[] = []
  const sliced: ApplyRun[] = []
  for (let r = 0; r < REPS; r++) {
    const s = await page.evaluate(() => window.carnetBench!.syncApply('carnet-bench-sync'))
    const w = await page.evaluate(() => window.carnetBench!.rawApply('carnet-bench-raw'))
    const c = await page.evaluate(
      (n) => window.carnetBench!.slicedApply('carnet-bench-sliced', n),
      SLICE
    )
    for (const run of [s, w, c]) {
      expect(run.ops).toBe(seeded.total)
      expect(run.counts['interventions']).toBe(INTERVENTIONS)
      expect(run.counts['timeEntries']).toBe(TIME_ENTRIES)
    }
    expect(s.counts['meta']).toBeGreaterThanOrEqual(3)
    sync.push(s)
    raw.push(w)
    sliced.push(c)
    log(
      `rep ${r + 1}/${REPS}: syncOnce ${s.rowsPerSecond.toFixed(0)} rows/s (longest task ${s.longTasks.maxMs.toFixed(0)} ms), raw bulkPut ${w.rowsPerSecond.toFixed(0)} rows/s (longest task ${w.longTasks.maxMs.toFixed(0)} ms), sliced by ${SLICE} ${c.rowsPerSecond.toFixed(0)} rows/s (longest task ${c.longTasks.maxMs.toFixed(0)} ms)`
    )
  }
  await page.evaluate(() => window.carnetBench!.clearPages())

  const rawRate = summarize(raw.map((r) => r.rowsPerSecond)).p50
  const rawPage = summarize(raw.flatMap((r) => r.pageMs)).p50
  const rawLongest = summarize(raw.map((r) => r.longTasks.maxMs)).p50
  const pullRate = (ops * 1000) / pullMs
  const lines: Line[] = [
    {
      what: 'initial sync 100k rows, syncOnce/applyPullPage',
      unit: 'rows/s',
      better: 'higher',
      samples: sync.map((r) => r.rowsPerSecond),
      goal: 0.8 * rawRate,
      baseline: rawRate,
      baselineLabel: 'raw bulkPut per page, same run'
    },
    {
      what: 'raw Dexie bulkPut of the same rows, same indexes',
      unit: 'rows/s',
      better: 'higher',
      samples: raw.map((r) => r.rowsPerSecond),
      goal: null,
      baseline: null,
      baselineLabel: ''
    },
    {
      what: 'apply of one 2,000-op page (syncOnce)',
      unit: 'ms',
      better: 'lower',
      samples: sync.flatMap((r) => r.pageMs),
      goal: null,
      baseline: rawPage,
      baselineLabel: 'raw page'
    },
    {
      what: 'longest main-thread task during the sync',
      unit: 'ms',
      better: 'lower',
      samples: sync.map((r) => r.longTasks.maxMs),
      goal: 50,
      baseline: rawLongest,
      baselineLabel: 'raw run'
    },
    {
      what: `proposal: page tx + cookie, bulkPut by ${SLICE} rows`,
      unit: 'rows/s',
      better: 'higher',
      samples: sliced.map((r) => r.rowsPerSecond),
      goal: 0.8 * rawRate,
      baseline: rawRate,
      baselineLabel: 'raw bulkPut per page, same run'
    },
    {
      what: `proposal: longest main-thread task (bulkPut by ${SLICE})`,
      unit: 'ms',
      better: 'lower',
      samples: sliced.map((r) => r.longTasks.maxMs),
      goal: 50,
      baseline: rawLongest,
      baselineLabel: 'raw run'
    },
    {
      what: 'main-thread tasks > 50 ms per sync',
      unit: 'tasks',
      better: 'lower',
      samples: sync.map((r) => r.longTasks.count),
      goal: null,
      baseline: summarize(raw.map((r) => r.longTasks.count)).p50,
      baselineLabel: 'raw run'
    },
    {
      what: `pull pages over HTTP (${backend}), server time per page`,
      unit: 'ms',
      better: 'lower',
      samples: serverPageMs,
      goal: null,
      baseline: null,
      baselineLabel: ''
    },
    {
      what: `pull over HTTP from Node (${backend}), whole 100k`,
      unit: 'rows/s',
      better: 'higher',
      samples: [pullRate],
      goal: 100_000,
      baseline: null,
      baselineLabel: ''
    }
  ]
  const summaries = lines.map(summarizeLine)
  console.log(`\n${reportTable(summaries)}\n`)
  const extras = {
    backend,
    chromium: browser.version(),
    pages: loaded.pages,
    bytes: loaded.bytes,
    'JSON.parse of all pages (ms)': Math.round(loaded.parseMs),
    'syncOnce ms p50': Math.round(summarize(sync.map((r) => r.ms)).p50),
    'raw ms p50': Math.round(summarize(raw.map((r) => r.ms)).p50),
    'long-task total ms per sync p50': Math.round(
      summarize(sync.map((r) => r.longTasks.totalMs)).p50
    ),
    'end to end estimate, pull + apply (s)': (
      (pullMs + summarize(sync.map((r) => r.ms)).p50) /
      1000
    ).toFixed(1)
  }
  for (const [k, v] of Object.entries(extras)) console.log(`  ${k}: ${v}`)
  writeJson(RESULTS, {
    when: new Date().toISOString(),
    measured:
      'apply path only: server pages fetched in Node, handed to the page as JSON text, parsed once; syncOnce runs with a transport answering from them',
    data: {
      interventions: INTERVENTIONS,
      timeEntries: TIME_ENTRIES,
      total: seeded.total,
      counts: seeded.counts
    },
    lines: summaries,
    extras,
    raw: { sync, raw, sliced, serverPageMs, pullMs }
  })
  console.log(`  written ${RESULTS}`)
})
