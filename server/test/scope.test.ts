/* eslint-disable @typescript-eslint/no-explicit-any -- tests probe JSON response bodies loosely */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateDemoData, type DemoData } from '../../src/shared/demo/demo-data'
import { SYNC_TABLES } from '../../src/shared/sync/protocol'
import { assign, unassign } from '../src/admin/commands'
import { importData } from '../src/admin/import'
import { VersionAllocator } from '../src/sync/versions'
import { describeBackends } from './helpers/backends'
import { applyOps, m, makeWorld, type Caller, type World } from './helpers/harness'

/** The municipality a pulled row belongs to, per table. */
function collectiviteOf(
  table: string,
  value: any,
  data: DemoData,
  extra: Map<string, string>
): string | undefined {
  switch (table) {
    case 'collectivites':
      return value.id
    case 'balances':
      return (
        data.conventions.find((c) => c.id === value.conventionId)?.collectiviteId ??
        extra.get(value.conventionId)
      )
    case 'timeEntries':
      return (
        data.interventions.find((i) => i.id === value.interventionId)?.collectiviteId ??
        extra.get(value.interventionId)
      )
    default:
      return value.collectiviteId
  }
}

describeBackends('scope', (backend) => {
  let w: World
  let data: DemoData
  let a: Caller
  let b: Caller
  let placeA: { collectiviteId: string; conventionId: string }
  let placeB: { collectiviteId: string; conventionId: string }
  const extra = new Map<string, string>()

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
    a = await w.user('technician', 'A')
    b = await w.user('technician', 'B')
    data = generateDemoData({
      today: '2025-06-01',
      technicianId: b.technicianId,
      interventions: 40
    })
    await w.db.transaction(async (tx) => importData(tx, data, await new VersionAllocator(tx).get()))
    const [ca, cb] = data.collectivites
    placeA = { collectiviteId: ca!.id, conventionId: data.conventions[0]!.id }
    placeB = { collectiviteId: cb!.id, conventionId: data.conventions[1]!.id }
    await assign(w.db, a.technicianId, placeA.collectiviteId)
    await assign(w.db, b.technicianId, placeB.collectiviteId)
    // B records a rejection of their own, which A must never see.
    await w.push(b, [m.setStatus(randomUUID(), 'done')])
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  it('a technician pulls only their municipalities, in every table', async () => {
    for (const [caller, place] of [
      [a, placeA],
      [b, placeB]
    ] as const) {
      const rows = applyOps((await w.pullAll(caller)).ops)
      for (const table of SYNC_TABLES) {
        if (table === 'rejections') continue
        const values = [...(rows.get(table)?.values() ?? [])]
        expect(values.length, `${table} rows`).toBeGreaterThan(0)
        for (const value of values)
          expect(collectiviteOf(table, value, data, extra), table).toBe(place.collectiviteId)
      }
    }
  })

  it('rejections and client counters stay within the caller and their client group', async () => {
    const own = applyOps((await w.pullAll(b)).ops)
    expect(own.get('rejections')?.size).toBe(1)
    const spy = { ...a, clientGroupId: b.clientGroupId }
    const page = await w.pullAll(spy)
    expect(applyOps(page.ops).get('rejections')).toBeUndefined()
    expect(page.pages.at(-1)?.lastMutationIds).toEqual({})
    const stolen = await w.push({ ...a, clientGroupId: b.clientGroupId, clientId: b.clientId }, [
      m.createIntervention(placeA)
    ])
    expect(stolen).toMatchObject({ status: 403, json: { error: { code: 'client.forbidden' } } })
  })

  it('a lead pulls every municipality', async () => {
    const lead = await w.user('lead')
    const rows = applyOps((await w.pullAll(lead)).ops)
    for (const c of data.collectivites) expect(rows.get('collectivites')?.has(c.id)).toBe(true)
    expect(rows.get('timeEntries')?.size).toBe(data.timeEntries.length)
  })

  it("every mutation on another technician's municipality is rejected and writes nothing", async () => {
    const bIntervention = data.interventions.find(
      (i) => i.collectiviteId === placeB.collectiviteId && i.status !== 'signed'
    )!
    const bEntry = data.timeEntries.find((e) => e.interventionId === bIntervention.id)!
    const snapshot = async () =>
      (
        await w.db.query(
          `SELECT (SELECT count(*) FROM interventions)::int AS i, (SELECT count(*) FROM time_entries)::int AS t,
                (SELECT max(version) FROM interventions WHERE collectivite_id = $1)::int AS v,
                (SELECT count(*) FROM time_entries WHERE voided_at IS NOT NULL)::int AS voided`,
          [placeB.collectiviteId]
        )
      ).rows[0]
    const before = await snapshot()
    const res = await w.push(a, [
      m.createIntervention(placeB),
      m.createIntervention({
        collectiviteId: placeA.collectiviteId,
        conventionId: placeB.conventionId
      }),
      m.update(bIntervention.id, 0, { title: 'Piraté' }),
      m.setStatus(bIntervention.id, bIntervention.status === 'done' ? 'inProgress' : 'done'),
      m.addEntry(bIntervention.id, '2025-05-01T08:00:00Z', 30),
      m.void(bEntry.id)
    ])
    expect(res.json.lastMutationId).toBe(6)
    expect(await snapshot()).toEqual(before)
    const rejections = [
      ...(applyOps((await w.pullAll(a)).ops)
        .get('rejections')
        ?.values() ?? [])
    ]
    expect(rejections.map((r) => r.code)).toEqual([
      'scope.forbidden',
      'reference.invalid',
      'scope.forbidden',
      'scope.forbidden',
      'scope.forbidden',
      'scope.forbidden'
    ])
  })
})

describeBackends('reassignment', (backend) => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  it('removes the rows from the next pull and rejects later writes, except earlier-started entries', async () => {
    const tech = await w.user()
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    const create = m.createIntervention(place)
    await w.push(tech, [create, m.setStatus(create.args.id, 'inProgress')])
    const { cookie } = await w.pullAll(tech)
    const beforeUnassign = new Date(Date.now() - 3600_000).toISOString()
    await unassign(w.db, tech.technicianId, place.collectiviteId)
    const afterUnassign = new Date(Date.now() + 1000).toISOString()

    const res = await w.push(tech, [
      m.addEntry(create.args.id, beforeUnassign, 30),
      m.addEntry(create.args.id, afterUnassign, 30),
      m.update(create.args.id, 0, { notes: 'trop tard' })
    ])
    expect(res.json.lastMutationId).toBe(5)
    const pulled = await w.pullAll(tech, cookie)
    expect(pulled.pages[0]?.reset).toBe(true)
    const rows = applyOps(pulled.ops)
    expect(rows.get('collectivites')).toBeUndefined()
    expect(rows.get('interventions')).toBeUndefined()
    expect(
      [...(rows.get('rejections')?.values() ?? [])].map((r) => [r.mutationId, r.code])
    ).toEqual([
      [4, 'scope.forbidden'],
      [5, 'scope.forbidden']
    ])
    const { rows: units } = await w.db.query<{ units: number }>(
      'SELECT units FROM interventions WHERE id = $1',
      [create.args.id]
    )
    expect(units[0]?.units).toBe(2)
  })
})
