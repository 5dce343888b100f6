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
    case 'remoteSessions':
      return data.assets.find((x) => x.id === value.assetId)?.collectiviteId
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
    // Each logs a remote session on an asset of their municipality.
    for (const [caller, place] of [
      [a, placeA],
      [b, placeB]
    ] as const) {
      const asset = data.assets.find((x) => x.collectiviteId === place.collectiviteId)!
      const device = { ...caller, clientGroupId: randomUUID(), clientId: randomUUID() }
      expect((await w.push(device, [m.remoteSession(asset.id)])).status).toBe(200)
    }
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

  it('a create reusing an id taken in another municipality is refused, not taken as a replay', async () => {
    const bIntervention = data.interventions.find(
      (i) => i.collectiviteId === placeB.collectiviteId
    )!
    const bEntry = data.timeEntries.find((e) => e.interventionId === bIntervention.id)!
    const own = m.createIntervention(placeA)
    await w.push(a, [own])
    const before = await w.db.query('SELECT * FROM interventions WHERE id = $1', [bIntervention.id])
    const res = await w.push(a, [
      m.createIntervention(placeA, { id: bIntervention.id }),
      m.addEntry(own.args.id, '2025-05-01T08:00:00Z', 30, { id: bEntry.id })
    ])
    expect(res.status).toBe(200)
    const { rows } = await w.db.query<{ code: string }>(
      'SELECT code FROM rejections WHERE client_id = $1 AND mutation_id > $2 ORDER BY mutation_id',
      [a.clientId, res.json.lastMutationId - 2]
    )
    expect(rows.map((r) => r.code)).toEqual(['scope.forbidden', 'scope.forbidden'])
    expect(
      (await w.db.query('SELECT * FROM interventions WHERE id = $1', [bIntervention.id])).rows
    ).toEqual(before.rows)
    const { rows: entries } = await w.db.query<{ intervention_id: string }>(
      'SELECT intervention_id FROM time_entries WHERE id = $1',
      [bEntry.id]
    )
    expect(entries[0]?.intervention_id).toBe(bIntervention.id)
  })

  it('tells a technician the same thing for a missing record and one outside their scope', async () => {
    const bIntervention = data.interventions.find(
      (i) => i.collectiviteId === placeB.collectiviteId
    )!
    const bEntry = data.timeEntries.find((e) => e.interventionId === bIntervention.id)!
    const missing = randomUUID()
    const res = await w.push(a, [
      m.update(missing, 0, { title: 'x' }),
      m.update(bIntervention.id, 0, { title: 'x' }),
      m.void(missing),
      m.void(bEntry.id),
      m.addEntry(missing, '2025-05-01T08:00:00Z', 30),
      m.addEntry(bIntervention.id, '2025-05-01T08:00:00Z', 30)
    ])
    const { rows } = await w.db.query<{ code: string; reason: string }>(
      `SELECT code, reason FROM rejections WHERE client_id = $1 AND mutation_id > $2
        ORDER BY mutation_id`,
      [a.clientId, res.json.lastMutationId - 6]
    )
    const ids = [missing, bIntervention.id, bEntry.id]
    const anonymous = rows.map((r) => ({
      code: r.code,
      reason: ids.reduce((text, id) => text.replaceAll(id, '<id>'), r.reason)
    }))
    expect(anonymous).toHaveLength(6)
    for (let i = 0; i < 6; i += 2) expect(anonymous[i]).toEqual(anonymous[i + 1])
    expect(anonymous.every((r) => r.code === 'scope.forbidden')).toBe(true)
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
    await w.db.query(
      "UPDATE assignments SET assigned_at = now() - interval '1 day' WHERE technician_id = $1",
      [tech.technicianId]
    )
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

describeBackends('late time entries after an unassignment', (backend) => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const daysAgo = (days: number) => new Date(Date.now() - days * 86400_000).toISOString()

  /** A technician assigned for the past week, with one intervention, then unassigned. */
  async function formerlyAssigned() {
    const tech = await w.user()
    const lead = await w.user('lead')
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    await w.db.query(
      "UPDATE assignments SET assigned_at = now() - interval '7 days' WHERE technician_id = $1",
      [tech.technicianId]
    )
    const older = m.createIntervention(place)
    await w.push(tech, [older])
    await unassign(w.db, tech.technicianId, place.collectiviteId)
    return { tech, lead, place, older }
  }

  const state = async (interventionId: string) =>
    (
      await w.db.query<{ units: number; entries: number; consumed: number }>(
        `SELECT i.units, (SELECT count(*)::int FROM time_entries WHERE intervention_id = i.id) AS entries,
                b.units_consumed AS consumed
           FROM interventions i JOIN balances b ON b.convention_id = i.convention_id
          WHERE i.id = $1`,
        [interventionId]
      )
    ).rows[0]

  const lastCodes = async (caller: Caller, n: number) =>
    (
      await w.db.query<{ code: string }>(
        `SELECT code FROM rejections WHERE client_id = $1 AND mutation_id > $2
          ORDER BY mutation_id`,
        [caller.clientId, caller.nextMutationId - 1 - n]
      )
    ).rows.map((r) => r.code)

  it('refuses a backdated entry on an intervention the lead created after the unassignment', async () => {
    const { tech, lead, place } = await formerlyAssigned()
    const later = m.createIntervention(place)
    expect((await w.push(lead, [later])).status).toBe(200)
    const before = await state(later.args.id)
    const res = await w.push(tech, [
      m.addEntry(later.args.id, '2021-03-01T08:00:00Z', 24 * 60),
      m.addEntry(later.args.id, daysAgo(2), 60)
    ])
    expect(res.status).toBe(200)
    expect(await lastCodes(tech, 2)).toEqual(['scope.forbidden', 'scope.forbidden'])
    expect(await state(later.args.id)).toEqual(before)
  })

  it('accepts work done during the assignment on an older intervention, and nothing before it', async () => {
    const { tech, older } = await formerlyAssigned()
    await w.push(tech, [
      m.addEntry(older.args.id, '2021-03-01T08:00:00Z', 60),
      m.addEntry(older.args.id, daysAgo(2), 60)
    ])
    expect(await lastCodes(tech, 2)).toEqual(['scope.forbidden'])
    expect(await state(older.args.id)).toMatchObject({ units: 4, entries: 1 })
  })

  it('refuses late entries once the grace delay after the unassignment has passed', async () => {
    const { tech, older } = await formerlyAssigned()
    const move = (unassignedDaysAgo: number) =>
      w.db.query(
        `UPDATE assignments SET assigned_at = now() - interval '90 days',
                unassigned_at = now() - make_interval(days => $2)
          WHERE technician_id = $1`,
        [tech.technicianId, unassignedDaysAgo]
      )
    await w.db.query(
      "UPDATE interventions SET received_at = now() - interval '60 days' WHERE id = $1",
      [older.args.id]
    )
    await move(31)
    await w.push(tech, [m.addEntry(older.args.id, daysAgo(40), 60)])
    expect(await lastCodes(tech, 1)).toEqual(['scope.forbidden'])
    expect(await state(older.args.id)).toMatchObject({ units: 0, entries: 0 })
    await move(29)
    await w.push(tech, [m.addEntry(older.args.id, daysAgo(40), 60)])
    expect(await lastCodes(tech, 1)).toEqual([])
    expect(await state(older.args.id)).toMatchObject({ units: 4, entries: 1 })
  })
})
