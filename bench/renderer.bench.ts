import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { resolve } from 'node:path'
// The page's window.carnetBench type (bench-entry declares it globally).
import type {} from '../src/renderer/src/bench/bench-entry'
import {
  filterAnswer,
  heapAfterGc,
  readStart,
  startProbe,
  type FilterStep,
  type StartMarks
} from './app-probes'
import { startHost, type Host } from './host'
import { profileStart } from './profile'
import { summarize, table, writeJson, type Row } from './stats'

const INTERVENTIONS = 50_000
const TIME_ENTRIES = 200_000
const RELOADS = 7
const TOARRAY_RUNS = 5
const TIMER_ITERATIONS = 120
const TERMS = [
  'imprimante',
  'sauvegardes',
  'pare-feu',
  'messagerie',
  'formation',
  'valfleury',
  'roche-sauve',
  'lac-clair',
  'wi-fi',
  'n°4242',
  'poste du maire',
  'sup002'
]
const STATUSES = ['planned', 'inProgress', 'onHold', 'done', 'signed']
const KINDS = ['preventive', 'curative', 'training']
const RESULTS = resolve(__dirname, '..', 'bench-results', 'renderer.json')

let host: Host | undefined
test.afterAll(async () => {
  await host?.stop()
})

async function benchPage(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${origin}/bench.html`)
  await page.waitForFunction(() => window.carnetBench !== undefined)
  return page
}

/** Text on, text off, then each status and kind on and off: every step changes the count. */
function filterSteps(): FilterStep[] {
  const steps: FilterStep[] = []
  for (let round = 0; round < 2; round++) {
    for (const value of TERMS) {
      steps.push({ control: 'text', value }, { control: 'text', value: '' })
    }
    for (const value of STATUSES) {
      steps.push({ control: 'status', value }, { control: 'status', value: '' })
    }
    for (const value of KINDS)
      steps.push({ control: 'kind', value }, { control: 'kind', value: '' })
  }
  return steps
}

const digits = (text: string) => Number(text.replace(/\D/g, ''))
const median = (values: number[]) => summarize(values).p50

test('renderer with 50k interventions and 200k time entries', async ({ browser }) => {
  test.setTimeout(10 * 60_000)
  host = await startHost()
  const { origin, url } = host
  const context = await newContext(browser)
  const log = (line: string) => console.log(`[bench] ${line}`)

  // 1. Seed the app's own IndexedDB from the bench page (same origin).
  let page = await benchPage(context, origin)
  const seeded = await page.evaluate(([n, e]) => window.carnetBench!.seed(n, e), [
    INTERVENTIONS,
    TIME_ENTRIES
  ] as const)
  log(`seeded ${JSON.stringify(seeded)}`)
  expect(seeded.interventions).toBe(INTERVENTIONS)
  expect(seeded.timeEntries).toBe(TIME_ENTRIES)

  // Raw baselines: open + toArray of the 50k, each in a freshly loaded page.
  const toArray: Array<{ openMs: number; toArrayMs: number; rows: number }> = []
  for (let i = 0; i < TOARRAY_RUNS; i++) {
    await page.reload()
    await page.waitForFunction(() => window.carnetBench !== undefined)
    toArray.push(await page.evaluate(() => window.carnetBench!.openAndToArray()))
  }
  expect(toArray.every((r) => r.rows === INTERVENTIONS)).toBe(true)
  const live: Record<'cloned' | 'immutable', number[]> = { cloned: [], immutable: [] }
  for (let i = 0; i < 2 * TOARRAY_RUNS; i++) {
    const cache: 'cloned' | 'immutable' = i % 2 ? 'immutable' : 'cloned'
    await page.reload()
    await page.waitForFunction(() => window.carnetBench !== undefined)
    live[cache].push(await page.evaluate((c) => window.carnetBench!.liveToArray(c), cache))
  }
  const steps = filterSteps()
  const filterRaw = await page.evaluate(
    (patches) => window.carnetBench!.filterBaseline(patches),
    steps.map((s) => (s.control === 'text' ? { text: s.value } : { [s.control]: s.value }))
  )
  const benchCdp = await context.newCDPSession(page)
  const heapEmpty = await heapAfterGc(benchCdp)
  await page.evaluate(() => window.carnetBench!.holdRows())
  const heapRows = await heapAfterGc(benchCdp)
  await page.evaluate(() => window.carnetBench!.releaseRows())
  const rowsMb = heapRows.usedMb - heapEmpty.usedMb
  await page.close()

  // 2. Start to interactive over reloads of the app (one warm-up load first).
  page = await context.newPage()
  await page.addInitScript(startProbe, INTERVENTIONS)
  await page.goto(url)
  await readStart(page)
  const starts: StartMarks[] = []
  for (let i = 0; i < RELOADS; i++) {
    await page.reload()
    starts.push(await readStart(page))
  }
  await expect(page.getByRole('listitem').first()).toBeVisible()
  log(`start marks ${JSON.stringify(starts)}`)

  // 3. Filter and search answers, checked against the in-memory counts.
  const answers: Array<FilterStep & { ms: number }> = []
  for (const [i, step] of steps.entries()) {
    const answer = await filterAnswer(page, step)
    expect(digits(answer.text), `${step.control}="${step.value}"`).toBe(filterRaw.counts[i])
    answers.push({ ...step, ms: answer.ms })
    await page.waitForTimeout(60)
  }

  // 4. JS heap of the app with the 50k list on screen.
  const appCdp = await context.newCDPSession(page)
  const heap = await heapAfterGc(appCdp)
  await appCdp.detach()
  const profile = await profileStart(page, context)
  await page.close()

  // 5. Timer start/stop through the repositories, interleaved with the raw transaction.
  page = await benchPage(context, origin)
  const actions = await page.evaluate(
    (n) => window.carnetBench!.actionBench(n, 10),
    TIMER_ITERATIONS
  )
  expect(actions.entriesAdded).toBe(TIMER_ITERATIONS + 10)
  expect(actions.outboxAdded).toBeGreaterThanOrEqual(TIMER_ITERATIONS + 10)
  expect(actions.timerLeft).toBe(false)
  await page.close()
  await context.close()

  // Report.
  const interactive = starts.map((s) => s.painted as number)
  const isText = (a: { control: string }) => a.control === 'text'
  const textMs = answers.filter(isText).map((a) => a.ms)
  const selectMs = answers.filter((a) => !isText(a)).map((a) => a.ms)
  const rawText = filterRaw.filterMs.filter((_, i) => isText(steps[i] as FilterStep))
  const rawSelect = filterRaw.filterMs.filter((_, i) => !isText(steps[i] as FilterStep))
  const rawAction = summarize(actions.rawMs)
  const rows: Row[] = [
    {
      what: 'start to interactive (nav → 50k count + first row painted)',
      unit: 'ms',
      measured: summarize(interactive),
      ceiling: 1000,
      baselineLabel: 'Dexie open+toArray 50k, p50',
      baseline: median(toArray.map((r) => r.openMs + r.toArrayMs))
    },
    {
      what: 'search answer (input event → count in DOM)',
      unit: 'ms',
      measured: summarize(textMs),
      ceiling: 50,
      baselineLabel: 'filterInterventions 50k, p50',
      baseline: median(rawText)
    },
    {
      what: 'filter answer (select status/kind → count in DOM)',
      unit: 'ms',
      measured: summarize(selectMs),
      ceiling: 50,
      baselineLabel: 'filterInterventions 50k, p50',
      baseline: median(rawSelect)
    },
    {
      what: 'JS heap, list with 50k loaded (after GC)',
      unit: 'MB',
      measured: summarize([heap.usedMb]),
      ceiling: 150,
      baselineLabel: '50k rows as plain objects',
      baseline: rowsMb
    },
    {
      what: 'timer start committed (startTimer)',
      unit: 'ms',
      measured: summarize(actions.startMs),
      ceiling: 10,
      baselineLabel: `raw tx row ${actions.rawRowBytes} B + outbox, p50`,
      baseline: rawAction.p50
    },
    {
      what: 'timer stop committed (entry + outbox + units)',
      unit: 'ms',
      measured: summarize(actions.stopMs),
      ceiling: 10,
      baselineLabel: `raw tx row ${actions.rawRowBytes} B + outbox, p50`,
      baseline: rawAction.p50
    }
  ]
  const extras = {
    'Dexie toArray of the 50k interventions (ms, p50)': median(toArray.map((r) => r.toArrayMs)),
    'Dexie open (ms, p50)': median(toArray.map((r) => r.openMs)),
    'same toArray in a liveQuery, Dexie cache "cloned" (default) (ms, p50)': median(live.cloned),
    'same toArray in a liveQuery, Dexie cache "immutable" (ms, p50)': median(live.immutable),
    'indexInterventions 50k: normalize + sort (ms)': filterRaw.indexMs,
    'plain haystacks.filter(includes) 50k (ms, p50)': median(filterRaw.plainMs),
    'raw tx row + outbox (ms, p50 / p95)': `${rawAction.p50.toFixed(2)} / ${rawAction.p95.toFixed(2)}`,
    'start: DOMContentLoaded (ms, p50)': median(starts.map((s) => s.domContentLoaded ?? NaN)),
    'start: body ready = session open (ms, p50)': median(starts.map((s) => s.ready ?? NaN)),
    'start: first count shown (ms, p50)': median(starts.map((s) => s.count ?? NaN)),
    'start: count 50k + row in DOM (ms, p50)': median(starts.map((s) => s.interactive ?? NaN)),
    'seed: interventions / time entries bulkAdd (rows/s)': `${seeded.interventionsRowsPerSecond} / ${seeded.timeEntriesRowsPerSecond}`
  }
  console.log(`\n${table(rows)}\n`)
  for (const [k, v] of Object.entries(extras)) {
    console.log(`  ${k}: ${typeof v === 'number' ? v.toFixed(2) : v}`)
  }
  console.log(`\n  CPU profile of one app start, top self time:\n${profile.text}\n`)
  writeJson(RESULTS, {
    when: new Date().toISOString(),
    chromium: browser.version(),
    data: { interventions: INTERVENTIONS, timeEntries: TIME_ENTRIES },
    rows,
    extras,
    raw: { starts, toArray, live, filterRaw, answers, heap, heapEmpty, heapRows, actions, seeded },
    profile: profile.top
  })
  console.log(`  written ${RESULTS}`)
})

function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris'
  })
}
