import { beforeEach, describe, expect, it } from 'vitest'
import type { CarnetDb } from '../database'
import type { RepoContext } from '../context'
import { recordRemoteSession } from './remote'
import { repoWorld, T0 } from './test-world'
import {
  detectGap,
  GAP_THRESHOLD_MS,
  heartbeat,
  pauseTimer,
  resolveGap,
  startTimer,
  stopTimer
} from './timer'

const world = repoWorld()
let db: CarnetDb
let ctx: RepoContext
beforeEach(() => {
  db = world.db()
  ctx = world.ctx()
})
const advance = (seconds: number) => world.advance(seconds)
const newIntervention = (title?: string) => world.newIntervention(title)

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
    expect(detectGap(await db.timers.get('tech-1'), world.clock())).not.toBeNull()
    await heartbeat(ctx) // must not hide the gap
    expect(detectGap(await db.timers.get('tech-1'), world.clock())).not.toBeNull()
    await resolveGap(ctx, 'drop')
    const [entry] = await db.timeEntries.where('interventionId').equals(id).toArray()
    expect((Date.parse(entry!.endedAt) - Date.parse(entry!.startedAt)) / 1000).toBe(240)
    expect(detectGap(await db.timers.get('tech-1'), world.clock())).toBeNull()
  })

  it('split counts the gap up to the chosen time, and refuses a time outside the gap', async () => {
    const id = await newIntervention()
    await startTimer(ctx, id, 'onSite')
    advance(3600)
    await expect(
      resolveGap(ctx, 'split', new Date(world.clock() + 60_000).toISOString())
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
