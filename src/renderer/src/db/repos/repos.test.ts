// IndexedDB here is fake-indexeddb, a spec-complete in-memory implementation for Node (the real
// Chromium IndexedDB is exercised by the e2e specs). Each test gets its own database.
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CarnetDb } from '../database'
import type { RepoContext } from '../context'
import { loadDemoDataIfEmpty } from '../demo'
import { createIntervention, setInterventionStatus, updateIntervention } from './interventions'
import { recordRemoteSession } from './remote'
import { addManualEntry, voidEntry } from './time-entries'
import {
  detectGap,
  GAP_THRESHOLD_MS,
  heartbeat,
  pauseTimer,
  resolveGap,
  startTimer,
  stopTimer
} from './timer'

let db: CarnetDb
let clock: number
let ctx: RepoContext
let counter = 0

const T0 = Date.parse('2026-11-27T08:00:00Z')
const advance = (seconds: number) => {
  clock += seconds * 1000
}

async function snapshot() {
  return {
    interventions: await db.interventions.toArray(),
    entries: await db.timeEntries.toArray(),
    outbox: await db.outbox.toArray(),
    timers: await db.timers.toArray()
  }
}

async function newIntervention(title = 'Test'): Promise<string> {
  const convention = (await db.conventions.toArray())[0]!
  return createIntervention(ctx, {
    collectiviteId: convention.collectiviteId,
    conventionId: convention.id,
    kind: 'curative',
    title
  })
}

beforeEach(async () => {
  db = new CarnetDb(`carnet-test-${++counter}`)
  clock = T0
  ctx = { db, technicianId: 'tech-1', now: () => clock }
  await loadDemoDataIfEmpty(db, { today: '2026-11-27' })
})

afterEach(async () => {
  db.close()
  await db.delete()
})

describe('every change and its outbox entry commit together', () => {
  it('numbers mutations 1, 2, 3… in the order the technician acted', async () => {
    const id = await newIntervention()
    await updateIntervention(ctx, id, { description: 'Écran noir' })
    await setInterventionStatus(ctx, id, 'inProgress')
    const outbox = await db.outbox.orderBy('mutationId').toArray()
    expect(outbox.map((o) => [o.mutationId, o.name])).toEqual([
      [1, 'intervention.create.v1'],
      [2, 'intervention.update.v1'],
      [3, 'intervention.setStatus.v1']
    ])
  })

  it('bad input throws a coded error and leaves the store exactly as it was', async () => {
    const id = await newIntervention()
    const before = await snapshot()
    const day = '2026-11-27'
    await expect(
      addManualEntry(ctx, {
        interventionId: id,
        startedAt: `${day}T10:00:00Z`,
        endedAt: `${day}T09:00:00Z`,
        mode: 'onSite'
      })
    ).rejects.toMatchObject({ code: 'time.endBeforeStart' })
    await expect(
      addManualEntry(ctx, {
        interventionId: id,
        startedAt: `${day}T10:00:00Z`,
        endedAt: '2026-11-28T10:00:01Z',
        mode: 'onSite'
      })
    ).rejects.toMatchObject({ code: 'time.tooLong' })
    await expect(
      addManualEntry(ctx, {
        interventionId: id,
        startedAt: 'hier',
        endedAt: `${day}T09:00:00Z`,
        mode: 'onSite'
      })
    ).rejects.toMatchObject({ code: 'validation.failed' })
    await expect(
      createIntervention(ctx, {
        collectiviteId: 'x',
        conventionId: 'y',
        kind: 'curative',
        title: ''
      })
    ).rejects.toMatchObject({ code: 'validation.failed' })
    await expect(setInterventionStatus(ctx, id, 'signed')).rejects.toMatchObject({
      code: 'status.illegalTransition'
    })
    await expect(voidEntry(ctx, 'not-there', 'raison valable')).rejects.toMatchObject({
      code: 'record.notFound'
    })
    expect(await snapshot()).toEqual(before)
  })

  it('a failure after the first write rolls the whole transaction back', async () => {
    const id = await newIntervention()
    const before = await snapshot()
    // The outbox rejects a duplicate key: simulate by pre-filling the next mutation id.
    await db.outbox.add({
      mutationId: 2,
      name: 'timeEntry.void.v1',
      args: {},
      clientTime: new Date(clock).toISOString()
    })
    const withBlocker = await snapshot()
    await expect(
      addManualEntry(ctx, {
        interventionId: id,
        startedAt: '2026-11-27T09:00:00Z',
        endedAt: '2026-11-27T09:30:00Z',
        mode: 'onSite'
      })
    ).rejects.toThrow()
    expect(await snapshot()).toEqual(withBlocker)
    expect(withBlocker.entries).toEqual(before.entries)
  })
})

describe('time entries and units', () => {
  it('keeps the figures, and the change, when a stored entry was edited to break the rule', async () => {
    const id = await newIntervention()
    const first = await addManualEntry(ctx, {
      interventionId: id,
      startedAt: '2026-11-27T09:00:00Z',
      endedAt: '2026-11-27T09:20:00Z',
      mode: 'onSite'
    })
    expect((await db.interventions.get(id))?.localUnits).toBe(2)
    // As the server would send an entry edited by hand in its database: 30 h.
    await db.timeEntries.update(first, { endedAt: '2026-11-28T15:00:00.000Z' })
    const second = await addManualEntry(ctx, {
      interventionId: id,
      startedAt: '2026-11-27T10:00:00Z',
      endedAt: '2026-11-27T10:10:00Z',
      mode: 'onSite'
    })
    expect(await db.timeEntries.get(second)).toBeDefined()
    expect((await db.interventions.get(id))?.localUnits).toBe(2)
    // Voiding the bad entry lets the rule apply again.
    await voidEntry(ctx, first, 'Saisie corrompue')
    const row = await db.interventions.get(id)
    expect([row?.localSeconds, row?.localUnits]).toEqual([600, 1])
  })

  it('recomputes local units on add and void; a voided entry is kept with its reason', async () => {
    const id = await newIntervention()
    const first = await addManualEntry(ctx, {
      interventionId: id,
      startedAt: '2026-11-27T09:00:00Z',
      endedAt: '2026-11-27T09:15:01Z',
      mode: 'onSite'
    })
    expect((await db.interventions.get(id))?.localUnits).toBe(2)
    await voidEntry(ctx, first, 'Erreur de saisie')
    const row = await db.interventions.get(id)
    expect([row?.localSeconds, row?.localUnits]).toEqual([0, 0])
    expect(await db.timeEntries.get(first)).toMatchObject({ voidReason: 'Erreur de saisie' })
    await expect(voidEntry(ctx, first, 'encore')).rejects.toMatchObject({
      code: 'entry.alreadyVoided'
    })
  })

  it('a signed intervention accepts no time and no void', async () => {
    const id = await newIntervention()
    const entry = await addManualEntry(ctx, {
      interventionId: id,
      startedAt: '2026-11-27T09:00:00Z',
      endedAt: '2026-11-27T09:10:00Z',
      mode: 'remote'
    })
    for (const s of ['inProgress', 'done', 'signed'] as const)
      await setInterventionStatus(ctx, id, s)
    await expect(startTimer(ctx, id, 'onSite')).rejects.toMatchObject({ code: 'status.locked' })
    await expect(voidEntry(ctx, entry, 'trop tard')).rejects.toMatchObject({
      code: 'status.locked'
    })
    await expect(updateIntervention(ctx, id, { notes: 'x' })).rejects.toMatchObject({
      code: 'status.locked'
    })
  })
})

describe('the timer', () => {
  it('lives in the database: start, pause and stop write entries from stored timestamps', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    expect((await db.interventions.get(id))?.status).toBe('inProgress')
    advance(600)
    await pauseTimer(ctx)
    advance(300)
    await startTimer(ctx, id, 'remote')
    advance(301)
    await stopTimer(ctx)
    const entries = await db.timeEntries.where('interventionId').equals(id).sortBy('startedAt')
    expect(
      entries.map((e) => [e.mode, (Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 1000])
    ).toEqual([
      ['onSite', 600],
      ['remote', 301]
    ])
    expect((await db.interventions.get(id))?.localUnits).toBe(2)
    expect(await db.timers.count()).toBe(0)
  })

  it('starting on another intervention closes the first: one running timer per technician', async () => {
    const a = await newIntervention('A')
    const b = await newIntervention('B')
    await startTimer(ctx, a, 'onSite')
    advance(120)
    await startTimer(ctx, b, 'onSite')
    expect(await db.timers.toArray()).toMatchObject([{ interventionId: b, state: 'running' }])
    expect(await db.timeEntries.where('interventionId').equals(a).count()).toBe(1)
  })

  it('a clock set back records nothing negative', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    advance(-3600)
    await stopTimer(ctx)
    expect(await db.timeEntries.where('interventionId').equals(id).count()).toBe(0)
  })

  it('a clock set back keeps the work timed before the jump, and times on by the new clock', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    for (let minute = 5; minute <= 30; minute += 5) {
      advance(5 * 60)
      await heartbeat(ctx)
    }
    // The clock was an hour fast and is corrected: 10 minutes of work later it reads 20 minutes
    // before the timer's start.
    advance(-60 * 60 + 10 * 60)
    await heartbeat(ctx)
    advance(20 * 60)
    await stopTimer(ctx)
    const minutes = (await db.timeEntries.where('interventionId').equals(id).toArray()).map(
      (e) => (Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 60_000
    )
    // 30 before the jump; the 10 between the last heartbeat and the jump are not seen (as any
    // time between heartbeats when the clock moves); 20 after it.
    expect(minutes.sort()).toEqual([20, 30])
  })

  it('a timer whose intervention was signed or removed by a sync ends, and says what it could not record', async () => {
    const signed = await newIntervention('Signée ailleurs')
    await startTimer(ctx, signed, 'onSite')
    advance(25 * 60)
    // A pull brings the intervention signed by the project lead.
    await db.interventions.update(signed, { status: 'signed' })
    const outbox = await db.outbox.count()
    await expect(stopTimer(ctx)).rejects.toMatchObject({ code: 'timer.unrecorded' })
    expect(await db.timers.count()).toBe(0)
    expect(await db.timeEntries.where('interventionId').equals(signed).count()).toBe(0)
    expect(await db.outbox.count()).toBe(outbox)

    // Removed while running: pausing, switching mode or starting elsewhere end it the same way,
    // and the other intervention's timer still starts.
    const removed = await newIntervention('Retirée')
    const other = await newIntervention('Autre')
    await startTimer(ctx, removed, 'onSite')
    advance(10 * 60)
    await db.interventions.delete(removed)
    await expect(startTimer(ctx, other, 'remote')).rejects.toMatchObject({
      code: 'timer.unrecorded'
    })
    expect(await db.timers.toArray()).toMatchObject([{ interventionId: other, state: 'running' }])
    advance(5 * 60)
    await db.interventions.update(other, { status: 'signed' })
    await expect(pauseTimer(ctx)).rejects.toMatchObject({ code: 'timer.unrecorded' })
    expect(await db.timers.count()).toBe(0)
  })

  it('a long silence is a gap to decide about: drop ends the work at the last sign of life', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    advance(240)
    await heartbeat(ctx)
    advance(GAP_THRESHOLD_MS / 1000 + 3600)
    expect(detectGap(await db.timers.get('tech-1'), clock)).not.toBeNull()
    await heartbeat(ctx) // must not hide the gap
    expect(detectGap(await db.timers.get('tech-1'), clock)).not.toBeNull()
    await resolveGap(ctx, 'drop')
    const [entry] = await db.timeEntries.where('interventionId').equals(id).toArray()
    expect((Date.parse(entry!.endedAt) - Date.parse(entry!.startedAt)) / 1000).toBe(240)
    expect(detectGap(await db.timers.get('tech-1'), clock)).toBeNull()
  })

  it('split counts the gap up to the chosen time, and refuses a time outside the gap', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    advance(3600)
    await expect(
      resolveGap(ctx, 'split', new Date(clock + 60_000).toISOString())
    ).rejects.toMatchObject({ code: 'timer.invalidSplit' })
    await resolveGap(ctx, 'split', new Date(T0 + 1800_000).toISOString())
    const [entry] = await db.timeEntries.where('interventionId').equals(id).toArray()
    expect(entry?.endedAt).toBe(new Date(T0 + 1800_000).toISOString())
  })

  it('a segment longer than 24 h is cut into entries of at most 24 h, losing nothing', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    advance(30 * 3600)
    await resolveGap(ctx, 'keep')
    await stopTimer(ctx)
    const entries = await db.timeEntries.where('interventionId').equals(id).toArray()
    expect(
      entries.map((e) => (Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 3600_000).sort()
    ).toEqual([24, 6])
  })
})

describe('remote sessions', () => {
  const session = (startedAt: string, endedAt: string) => ({
    sessionId: 's1',
    protocol: 'rdp' as const,
    startedAt,
    endedAt,
    outcome: 'ended' as const
  })
  const minutesOf = async (id: string) =>
    (await db.timeEntries.where('interventionId').equals(id).sortBy('startedAt')).map((e) => [
      e.mode,
      (Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 60_000
    ])

  it('a session billed while the timer runs on its intervention is not counted twice', async () => {
    const id = await newIntervention()
    const assetId = (await db.assets.toArray())[0]!.id
    await startTimer(ctx, id, 'onSite') // 08:00
    advance(60 * 60)
    await recordRemoteSession(
      ctx,
      session('2026-11-27T08:10:00.000Z', '2026-11-27T08:40:00.000Z'),
      { assetId, interventionId: id, billed: true }
    )
    expect(await db.timers.toArray()).toMatchObject([
      { state: 'running', segmentStartedAt: '2026-11-27T08:40:00.000Z' }
    ])
    await stopTimer(ctx) // 09:00
    expect(await minutesOf(id)).toEqual([
      ['onSite', 10],
      ['remote', 30],
      ['onSite', 20]
    ])
  })

  it('a session on an intervention signed meanwhile is refused as such, the timer left as it was', async () => {
    const id = await newIntervention()
    const assetId = (await db.assets.toArray())[0]!.id
    await startTimer(ctx, id, 'onSite')
    advance(60 * 60)
    await db.interventions.update(id, { status: 'signed' })
    await expect(
      recordRemoteSession(ctx, session('2026-11-27T08:10:00.000Z', '2026-11-27T08:40:00.000Z'), {
        assetId,
        interventionId: id,
        billed: true
      })
    ).rejects.toMatchObject({ code: 'status.locked' })
    expect(await db.timers.toArray()).toMatchObject([
      { state: 'running', segmentStartedAt: '2026-11-27T08:00:00.000Z' }
    ])
    // The timer's next action reports what it could not record.
    await expect(stopTimer(ctx)).rejects.toMatchObject({ code: 'timer.unrecorded' })
  })

  it('leaves a timer on another intervention, or started after the session, as it is', async () => {
    const timed = await newIntervention('Chronométrée')
    const remote = await newIntervention('À distance')
    const assetId = (await db.assets.toArray())[0]!.id
    await startTimer(ctx, timed, 'onSite')
    advance(60 * 60)
    await recordRemoteSession(
      ctx,
      session('2026-11-27T08:10:00.000Z', '2026-11-27T08:40:00.000Z'),
      { assetId, interventionId: remote, billed: true }
    )
    await startTimer(ctx, remote, 'remote') // 09:00, after the session
    advance(15 * 60)
    await recordRemoteSession(
      ctx,
      session('2026-11-27T08:45:00.000Z', '2026-11-27T08:50:00.000Z'),
      { assetId, interventionId: remote, billed: true }
    )
    await stopTimer(ctx)
    expect(await minutesOf(timed)).toEqual([['onSite', 60]])
    expect(await minutesOf(remote)).toEqual([
      ['remote', 30],
      ['remote', 5],
      ['remote', 15]
    ])
  })
})
