import { beforeEach, describe, expect, it } from 'vitest'
import type { CarnetDb } from '../database'
import type { RepoContext } from '../context'
import { createIntervention, setInterventionStatus, updateIntervention } from './interventions'
import { addManualEntry, voidEntry } from './time-entries'
import { startTimer } from './timer'
import { repoWorld } from './test-world'

const world = repoWorld()
let db: CarnetDb
let ctx: RepoContext
beforeEach(() => {
  db = world.db()
  ctx = world.ctx()
})
const newIntervention = (title?: string) => world.newIntervention(title)

async function snapshot() {
  return {
    interventions: await db.interventions.toArray(),
    entries: await db.timeEntries.toArray(),
    outbox: await db.outbox.toArray(),
    timers: await db.timers.toArray()
  }
}

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
      clientTime: new Date(world.clock()).toISOString()
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
