// IndexedDB here is fake-indexeddb (spec-complete, in memory); the host bridge is mocked (named
// so): sign-in and sign-out over the real bridge and server are covered by e2e.
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RepoContext } from '../db/context'
import { CarnetDb } from '../db/database'
import { loadDemoDataIfEmpty } from '../db/demo'
import { createIntervention } from '../db/repos/interventions'
import { addManualEntry } from '../db/repos/time-entries'
import { pauseTimer, startTimer } from '../db/repos/timer'
import { signIn, signOut } from './account'

const host = vi.hoisted(() => ({
  authLogin: vi.fn(),
  authLogout: vi.fn()
}))
vi.mock('../lib/api', () => ({ api: host }))

let db: CarnetDb
let ctx: RepoContext
let n = 0

const ME = { id: 'tech-1', name: 'Camille Martin' }
const OTHER = { id: 'tech-2', name: 'Sacha Petit' }
const credentials = (email: string) => ({
  serverUrl: 'http://127.0.0.1:1',
  email,
  password: 'secret',
  deviceName: 'Portable'
})

beforeEach(async () => {
  db = new CarnetDb(`carnet-account-${++n}`)
  ctx = { db, technicianId: ME.id, now: () => Date.parse('2026-11-27T09:00:00Z') }
  host.authLogin.mockReset().mockResolvedValue({ technician: ME })
  host.authLogout.mockReset().mockResolvedValue(undefined)
  await signIn(db, credentials('camille@example.fr'))
  // Rows to work on, as a first pull would bring (the demo set: ids, agreements, policies).
  await loadDemoDataIfEmpty(db, { today: '2026-11-27' })
})
afterEach(async () => {
  db.close()
  await db.delete()
})

/** A running timer on a new intervention, with everything else already synced. */
async function runningTimer() {
  const c = (await db.conventions.toArray())[0]!
  const id = await createIntervention(ctx, {
    collectiviteId: c.collectiviteId,
    conventionId: c.id,
    kind: 'curative',
    title: 'Poste bloqué'
  })
  await startTimer(ctx, id, 'onSite')
  await db.outbox.clear()
  return id
}

describe('signing out', () => {
  it('is refused while a timer runs, and keeps everything', async () => {
    const id = await runningTimer()
    await expect(signOut(db)).rejects.toMatchObject({ code: 'sync.timerRunning' })
    expect(host.authLogout).not.toHaveBeenCalled()
    expect(await db.timers.count()).toBe(1)
    expect(await db.interventions.get(id)).toBeDefined()
  })

  it('empties the device once the timer is paused and everything is synced', async () => {
    await runningTimer()
    await pauseTimer(ctx)
    await db.outbox.clear()
    await signOut(db)
    expect(host.authLogout).toHaveBeenCalledOnce()
    expect(await db.interventions.count()).toBe(0)
    expect(await db.timeEntries.count()).toBe(0)
  })

  it('keeps a change written while the sign-out request was under way', async () => {
    const id = await runningTimer()
    await pauseTimer(ctx)
    await db.outbox.clear()
    // Another window records an action on the intervention while the server answers.
    host.authLogout.mockImplementation(async () => {
      await addManualEntry(ctx, {
        interventionId: id,
        startedAt: '2026-11-27T07:00:00Z',
        endedAt: '2026-11-27T07:20:00Z',
        mode: 'remote'
      })
    })
    await expect(signOut(db)).rejects.toMatchObject({ code: 'sync.pendingChanges' })
    expect(await db.outbox.count()).toBeGreaterThan(0)
    expect(await db.interventions.get(id)).toBeDefined()
    expect(await db.timers.count()).toBe(1)
  })
})

describe('signing in as another technician', () => {
  it('is refused while the previous technician’s timer runs, and signs the newcomer out', async () => {
    await runningTimer()
    host.authLogin.mockResolvedValue({ technician: OTHER })
    await expect(signIn(db, credentials('camille@example.fr'))).rejects.toMatchObject({
      code: 'sync.pendingOtherUser'
    })
    expect(host.authLogout).toHaveBeenCalledOnce()
    expect(await db.timers.count()).toBe(1)
    expect((await db.meta.get('technician'))?.value).toEqual(ME)
  })

  it('is refused before signing in when another email has a running timer here', async () => {
    await runningTimer()
    await expect(signIn(db, credentials('sacha@example.fr'))).rejects.toMatchObject({
      code: 'sync.pendingOtherUser'
    })
    expect(host.authLogin).toHaveBeenCalledOnce()
    expect(await db.timers.count()).toBe(1)
  })

  it('wipes the previous technician’s synced data', async () => {
    await runningTimer()
    await pauseTimer(ctx)
    await db.outbox.clear()
    host.authLogin.mockResolvedValue({ technician: OTHER })
    await signIn(db, credentials('sacha@example.fr'))
    expect(await db.interventions.count()).toBe(0)
    expect((await db.meta.get('technician'))?.value).toEqual(OTHER)
  })
})
