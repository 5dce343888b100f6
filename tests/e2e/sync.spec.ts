import { chromium, type Browser, type Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromiumLaunch } from '../../playwright.config'
import { createIntervention, expect, startHost, test } from './fixtures'
import {
  removeData,
  seedFixture,
  serve,
  serverSnapshot,
  type Fixture,
  type RunningServer
} from './support/carnet-server'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy'
import { addManualEntry, readLocal, signIn, synced } from './support/laptop'

// One real server (embedded database) for the file; each test brings its own laptops.
test.describe.configure({ mode: 'serial' })

let fixture: Fixture
let server: RunningServer
let proxy: FaultProxy
const cleanups: Array<() => void | Promise<void>> = []
// The laptops' pages: these tests open their own contexts, so a failure's error context has no
// page snapshot; afterEach prints theirs.
const pages: Page[] = []

test.beforeAll(async () => {
  fixture = seedFixture()
  server = await serve(fixture.dataDir)
  proxy = await startFaultProxy(server.url)
})

// Playwright reads the first parameter's pattern to pick fixtures: none here.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  const open = pages.splice(0).filter((p) => !p.isClosed())
  if (testInfo.status !== testInfo.expectedStatus)
    for (const [i, page] of open.entries()) {
      const snapshot = await page
        .locator('body')
        .ariaSnapshot({ timeout: 5000 })
        .catch((error: unknown) => `(no snapshot: ${String(error)})`)
      console.log(`--- laptop page ${i + 1} at failure: ${page.url()}\n${snapshot}`)
    }
  proxy.setOffline(false)
  proxy.delayPushAnswers(0)
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

test.afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  if (fixture) removeData(fixture.dataDir)
})

async function laptop(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}) {
  const { host, stop } = await startHost()
  const context = await browser.newContext({
    timezoneId: 'Europe/Paris',
    locale: 'fr-FR',
    ...options
  })
  cleanups.push(stop, () => context.close())
  const page = await context.newPage()
  pages.push(page)
  return { host, page }
}

type Row = Record<string, unknown>

test('a day offline, then every change reaches the server exactly once', async ({ browser }) => {
  const { host, page } = await laptop(browser)
  await signIn(page, host.url, proxy.url, fixture.techA)
  await expect(page.getByTestId('demo-badge')).toBeHidden()

  proxy.setOffline(true)
  await createIntervention(page, /Test-Alpha/, 'Journée hors ligne : baie de brassage')
  await addManualEntry(page, '08:00', '08:40')
  await addManualEntry(page, '09:00', '09:15')
  await addManualEntry(page, '10:00', '10:05')
  await page.getByRole('button', { name: /Annuler l’action du .* 10:00/ }).click()
  await page.getByLabel('Motif de l’annulation').fill('Doublon')
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Annuler', exact: true })
    .last()
    .click()
  await expect(page.getByTestId('entries-total')).toHaveText('Total : 55:00 → 4 unités')
  await page.getByTestId('sync-indicator').click()
  await page.getByRole('button', { name: 'Synchroniser maintenant' }).click()
  await expect(page.getByTestId('sync-phase')).toHaveText(/Hors ligne/)
  await expect(page.getByTestId('sync-pending')).toHaveText('5 modifications en attente')

  proxy.setOffline(false)
  await synced(page)

  const onServer = await serverSnapshot(server.url, fixture.lead)
  const localInterventions = await readLocal<Row>(page, 'interventions')
  const localEntries = await readLocal<Row>(page, 'timeEntries')
  const serverInterventions = [...(onServer['interventions']?.values() ?? [])]
  const serverEntries = [...(onServer['timeEntries']?.values() ?? [])]
  expect(serverInterventions.map((i) => i['id']).sort()).toEqual(
    localInterventions.map((i) => i['id']).sort()
  )
  expect(serverEntries.map((e) => [e['id'], e['voidedAt'] !== null]).sort()).toEqual(
    localEntries.map((e) => [e['id'], e['voidedAt'] !== null]).sort()
  )
  const mine = serverInterventions.find(
    (i) => i['title'] === 'Journée hors ligne : baie de brassage'
  )
  expect(mine).toMatchObject({ units: 4, seconds: 3300 })
  expect(await readLocal(page, 'outbox')).toEqual([])
})

test('killed after the server committed a push but before it answered: nothing lost, nothing doubled', async () => {
  const { host, stop } = await startHost()
  const profile = mkdtempSync(join(tmpdir(), 'carnet-profile-'))
  cleanups.push(stop, () => rmSync(profile, { recursive: true, force: true }))
  const launch = () =>
    chromium.launchPersistentContext(profile, {
      ...chromiumLaunch,
      timezoneId: 'Europe/Paris',
      locale: 'fr-FR'
    })

  let context = await launch()
  let page = context.pages()[0] ?? (await context.newPage())
  pages.push(page)
  await signIn(page, host.url, proxy.url, fixture.techA)
  proxy.setOffline(true)
  const title = `Coupure au pire moment ${Date.now()}`
  await createIntervention(page, /Test-Alpha/, title)
  await addManualEntry(page, '13:00', '13:31')
  await addManualEntry(page, '14:00', '14:01')
  await expect.poll(async () => (await readLocal(page, 'outbox')).length).toBe(3)

  // The server commits the push, then holds its answer; the laptop dies meanwhile.
  proxy.delayPushAnswers(15_000)
  proxy.setOffline(false)
  const pushed = proxy.nextPush()
  await page.getByTestId('sync-indicator').click()
  await page.getByRole('button', { name: 'Synchroniser maintenant' }).click()
  await pushed
  await expect
    .poll(
      async () =>
        [
          ...((await serverSnapshot(server.url, fixture.lead))['interventions']?.values() ?? [])
        ].filter((i) => i['title'] === title).length
    )
    .toBe(1)
  await context.close()
  proxy.delayPushAnswers(0)

  // Same profile, same laptop: the unanswered mutations are replayed and skipped by the server.
  context = await launch()
  cleanups.push(() => context.close())
  page = context.pages()[0] ?? (await context.newPage())
  pages.push(page)
  await page.goto(host.url)
  await expect(page.locator('body[data-ready=true]')).toBeAttached()
  await synced(page)
  expect(await readLocal(page, 'outbox')).toEqual([])

  const onServer = await serverSnapshot(server.url, fixture.lead)
  const serverRow = [...(onServer['interventions']?.values() ?? [])].filter(
    (i) => i['title'] === title
  )
  expect(serverRow).toHaveLength(1)
  const serverEntries = [...(onServer['timeEntries']?.values() ?? [])].filter(
    (e) => e['interventionId'] === serverRow[0]?.['id']
  )
  expect(serverEntries).toHaveLength(2)
  expect(serverRow[0]).toMatchObject({ seconds: 32 * 60, units: 3 })
  const local = (await readLocal<Row>(page, 'timeEntries')).filter(
    (e) => e['interventionId'] === serverRow[0]?.['id']
  )
  expect(local.map((e) => e['id']).sort()).toEqual(serverEntries.map((e) => e['id']).sort())
})

test('two technicians on one intervention both keep their time entries; a field edited by both converges', async ({
  browser
}) => {
  const a = await laptop(browser)
  const b = await laptop(browser)
  await signIn(a.page, a.host.url, proxy.url, fixture.techA)
  await signIn(b.page, b.host.url, proxy.url, fixture.techB)
  const title = `Serveur partagé ${Date.now()}`
  await createIntervention(a.page, /Test-Alpha/, title)
  const url = a.page.url()
  await synced(a.page)

  await synced(b.page)
  await b.page.goto(url.replace(a.host.url.split('/?')[0]!, b.host.url.split('/?')[0]!))
  await expect(b.page.getByRole('heading', { level: 1, name: title })).toBeVisible()
  await addManualEntry(b.page, '09:00', '09:20')
  await a.page.goto(url)
  await addManualEntry(a.page, '10:00', '10:10')
  await synced(a.page)
  await synced(b.page)
  await synced(a.page)

  for (const page of [a.page, b.page]) {
    await page.goto(url.replace(a.host.url.split('/?')[0]!, new URL(page.url()).origin))
    await expect(page.getByTestId('entry-row')).toHaveCount(2)
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 30:00 → 2 unités')
  }
  const onServer = await serverSnapshot(server.url, fixture.lead)
  const row = [...(onServer['interventions']?.values() ?? [])].find((i) => i['title'] === title)
  expect(row).toMatchObject({ units: 2, seconds: 1800 })

  // Both edit the description: the server keeps the last arrival, both laptops converge on it.
  const detail = (page: typeof a.page) =>
    url.replace(a.host.url.split('/?')[0]!, new URL(page.url()).origin)
  for (const [page, text] of [
    [a.page, 'Disque remplacé (Alice)'],
    [b.page, 'Disque remplacé, RAID reconstruit (Bruno)']
  ] as const) {
    await page.goto(detail(page))
    await page.getByLabel('Description').fill(text)
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect(page.getByText('Enregistré.')).toBeVisible()
  }
  await synced(a.page)
  await synced(b.page)
  await synced(a.page)
  for (const page of [a.page, b.page]) {
    await page.goto(detail(page))
    await expect(page.getByLabel('Description')).toHaveValue(
      'Disque remplacé, RAID reconstruit (Bruno)'
    )
  }

  // Technician A never sees Beta, which only B works for.
  await a.page.goto(a.host.url.split('/?')[0]! + '/#/')
  await expect(a.page.getByLabel('Collectivité').locator('option')).toHaveText([
    'Toutes',
    'Test-Alpha (fictive)'
  ])
})

test('a laptop clock one day ahead never breaks sync; the server flags the entry', async ({
  browser
}) => {
  const { host, page } = await laptop(browser)
  await page.clock.install({ time: new Date(Date.now() + 24 * 3600_000) })
  await signIn(page, host.url, proxy.url, fixture.techA)
  const title = `Horloge en avance ${Date.now()}`
  await createIntervention(page, /Test-Alpha/, title)
  await page.getByRole('button', { name: 'Démarrer' }).click()
  await expect(page.getByTestId('timer-state')).toContainText('En cours depuis 00:0')
  await page.clock.fastForward('05:00')
  await page.clock.fastForward('05:00')
  // A plain click, which waits for the button to hold still and receive the click: after a
  // forced one, one CI run saw no entry made (cause not proven; the panel re-flows as it ticks).
  await page.getByTestId('timer-panel').getByRole('button', { name: 'Arrêter' }).click()
  await expect(page.getByTestId('entry-row')).toHaveCount(1)
  await synced(page)
  const onServer = await serverSnapshot(server.url, fixture.lead)
  const row = [...(onServer['interventions']?.values() ?? [])].find((i) => i['title'] === title)
  const entries = [...(onServer['timeEntries']?.values() ?? [])].filter(
    (e) => e['interventionId'] === row?.['id']
  )
  expect(entries).toHaveLength(1)
  expect(entries[0]).toMatchObject({ futureDated: true })
  expect(row).toMatchObject({ units: 1 })
})

test('signing out is refused while a timer runs; paused and synced, the laptop is emptied', async ({
  browser
}) => {
  const { host, page } = await laptop(browser)
  await page.clock.install()
  await signIn(page, host.url, proxy.url, fixture.techA)
  const title = `Minuteur à la déconnexion ${Date.now()}`
  await createIntervention(page, /Test-Alpha/, title)
  await page.getByRole('button', { name: 'Démarrer' }).click()
  await expect(page.getByTestId('timer-bar')).toContainText(title)
  await page.clock.fastForward('05:00')
  await synced(page)
  // Nothing waits to sync, but the running segment is no entry yet: signing out would lose it.
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'sync.timerRunning')
  await expect(page.getByTestId('error')).toContainText('Un minuteur tourne')
  expect(await readLocal(page, 'timers')).toHaveLength(1)

  await page.getByTestId('timer-bar').getByRole('button', { name: 'Pause' }).click()
  await expect(page.getByTestId('timer-bar')).toContainText('En pause')
  await synced(page)
  // Signing out reloads the app: wait for the new page, not the old one's last frame.
  const reloaded = page.waitForEvent('load')
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await reloaded
  await expect(page.locator('body[data-ready=true]')).toBeAttached()
  await expect
    .poll(async () => (await readLocal(page, 'interventions')).some((i) => i['title'] === title))
    .toBe(false)
  expect(await readLocal(page, 'timers')).toEqual([])
  expect(await readLocal(page, 'outbox')).toEqual([])
  // The paused segment became an entry on the server: signing in again brings it back.
  await signIn(page, host.url, proxy.url, fixture.techA)
  const back = (await readLocal(page, 'interventions')).find((i) => i['title'] === title)
  expect(back).toBeDefined()
  const entries = (await readLocal(page, 'timeEntries')).filter(
    (e) => e['interventionId'] === back?.['id']
  )
  expect(entries).toHaveLength(1)
})
