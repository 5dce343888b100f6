import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateDemoData } from '../../src/shared/demo/demo-data'
import { PROTOCOL_VERSION, PULL_PAGE_SIZE, type PullResponse } from '../../src/shared/sync/protocol'
import { rotateEpoch } from '../src/admin/commands'
import { importData } from '../src/admin/import'
import { VersionAllocator } from '../src/sync/versions'
import { describeBackends } from './helpers/backends'
import { faultyDb } from './helpers/faulty-db'
import { applyOps, m, makeWorld, type World } from './helpers/harness'

describeBackends('sync protocol', (backend) => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  async function technicianWithPlace() {
    const tech = await w.user()
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    return { tech, place }
  }

  it('applies a push once; a replay changes nothing', async () => {
    const { tech, place } = await technicianWithPlace()
    const create = m.createIntervention(place)
    const entry = m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 20)
    expect(await w.push(tech, [create, entry])).toMatchObject({
      status: 200,
      json: { lastMutationId: 2 }
    })
    const before = await w.pullAll(tech)
    const replay = await w.push(tech, [create, entry], { ids: [1, 2] })
    expect(replay).toMatchObject({ status: 200, json: { lastMutationId: 2 } })
    const after = await w.pull(tech, before.cookie)
    expect(after.ops).toEqual([])
    const rows = applyOps(before.ops)
    expect(rows.get('timeEntries')?.size).toBe(1)
    expect(rows.get('interventions')?.get(create.args.id)).toMatchObject({
      seconds: 1200,
      units: 2
    })
    expect(before.pages.at(-1)?.lastMutationIds).toEqual({ [tech.clientId]: 2 })
  })

  it('stops at a gap and resumes once the missing id arrives', async () => {
    const { tech, place } = await technicianWithPlace()
    const a = m.createIntervention(place)
    const b = m.createIntervention(place)
    const c = m.createIntervention(place)
    const res = await w.push(tech, [a, b, c], { ids: [1, 2, 4] })
    expect(res.json).toEqual({ lastMutationId: 2 })
    const ids = async () =>
      (
        await w.db.query<{ id: string }>(
          'SELECT id FROM interventions WHERE id = ANY($1::uuid[])',
          [[a.args.id, b.args.id, c.args.id]]
        )
      ).rows
        .map((r) => r.id)
        .sort()
    expect(await ids()).toEqual([a.args.id, b.args.id].sort())
    const gapFilled = await w.push(tech, [m.createIntervention(place), c], { ids: [3, 4] })
    expect(gapFilled.json).toEqual({ lastMutationId: 4 })
    expect(await ids()).toHaveLength(3)
  })

  it('50 identical concurrent pushes produce one row; so do 50 reinstalled clients', async () => {
    const { tech, place } = await technicianWithPlace()
    const create = m.createIntervention(place)
    const entry = m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 10)
    await w.push(tech, [create])
    const same = await Promise.all(
      Array.from({ length: 50 }, () => w.push(tech, [entry], { ids: [2] }))
    )
    expect(same.every((r) => r.status === 200 && r.json.lastMutationId === 2)).toBe(true)
    const reinstalled = await Promise.all(
      Array.from({ length: 50 }, () =>
        w.push({ ...tech, clientId: randomUUID() }, [entry], { ids: [1] })
      )
    )
    expect(reinstalled.every((r) => r.status === 200)).toBe(true)
    const { rows } = await w.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM time_entries WHERE intervention_id = $1',
      [create.args.id]
    )
    expect(rows[0]?.n).toBe(1)
    const { rows: units } = await w.db.query<{ units: number }>(
      'SELECT units FROM interventions WHERE id = $1',
      [create.args.id]
    )
    expect(units[0]?.units).toBe(1)
  })

  it('records a permanent failure as a rejection and still advances lastMutationId', async () => {
    const { tech, place } = await technicianWithPlace()
    const good = m.createIntervention(place)
    const res = await w.push(tech, [
      { name: 'intervention.create.v1', args: { id: 'not-a-uuid' } },
      { name: 'no.such.mutation.v9', args: {} },
      good,
      m.setStatus(good.args.id, 'signed')
    ])
    expect(res.json).toEqual({ lastMutationId: 4 })
    const { ops } = await w.pullAll(tech)
    const rejections = [...(applyOps(ops).get('rejections')?.values() ?? [])]
    expect(rejections.map((r) => [r.mutationId, r.code]).sort()).toEqual([
      [1, 'validation.failed'],
      [2, 'mutation.unknown'],
      [4, 'status.illegalTransition']
    ])
    expect(rejections.every((r) => r.clientId === tech.clientId && r.reason.length > 10)).toBe(true)
    expect(applyOps(ops).get('interventions')?.get(good.args.id)).toMatchObject({
      status: 'planned'
    })
  })

  it('answers 503 on a transient database failure and writes nothing', async () => {
    const { tech, place } = await technicianWithPlace()
    const faulty = faultyDb(w.db, /INSERT INTO time_entries/)
    const broken = await makeWorld(faulty.db)
    try {
      const create = m.createIntervention(place)
      const entry = m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 10)
      const res = await broken.push(tech, [create, entry])
      expect(res.status).toBe(503)
      expect(res.json.error.code).toBe('server.unavailable')
      const { rows } = await w.db.query('SELECT 1 FROM interventions WHERE id = $1', [
        create.args.id
      ])
      expect(rows).toHaveLength(0)
      faulty.enabled.on = false
      expect((await broken.push(tech, [create, entry])).json).toEqual({ lastMutationId: 2 })
    } finally {
      await broken.close()
    }
  })

  it("words a database's refusal for the technician and keeps its details in the log", async () => {
    const { tech, place } = await technicianWithPlace()
    const create = m.createIntervention(place)
    await w.push(tech, [create])
    const detail = 'value too long for type character varying(3) in relation "time_entries_x"'
    const faulty = faultyDb(w.db, /INSERT INTO time_entries/, () =>
      Object.assign(new Error(detail), { code: '22001' })
    )
    const broken = await makeWorld(faulty.db)
    try {
      const res = await broken.push(tech, [m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 10)])
      expect(res).toMatchObject({ status: 200, json: { lastMutationId: 2 } })
    } finally {
      await broken.close()
    }
    const { rows } = await w.db.query<{ code: string; reason: string }>(
      'SELECT code, reason FROM rejections WHERE client_id = $1',
      [tech.clientId]
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.code).toBe('validation.failed')
    expect(rows[0]?.reason).not.toMatch(/varying|time_entries|relation/)
  })

  it('re-sends the target row after a no-op, a replay or a refusal, so clients get it back', async () => {
    const { tech, place } = await technicianWithPlace()
    const colleague = await w.user('technician', 'Collègue')
    await w.assign(colleague, place.collectiviteId)
    const create = m.createIntervention(place)
    const entry = m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 20)
    await w.push(tech, [
      create,
      m.setStatus(create.args.id, 'inProgress'),
      entry,
      m.void(entry.args.id)
    ])
    let cookie = (await w.pullAll(tech)).cookie
    let colleagueCookie = (await w.pullAll(colleague)).cookie
    /** The rows the caller's next pull sends, as table/key. */
    const resent = async (caller: typeof tech = tech) => {
      const page = await w.pullAll(caller, caller === tech ? cookie : colleagueCookie)
      if (caller === tech) cookie = page.cookie
      else colleagueCookie = page.cookie
      return page.ops.filter((op) => op.table !== 'rejections').map((op) => `${op.table}/${op.key}`)
    }
    const i = `interventions/${create.args.id}`
    const e = `timeEntries/${entry.args.id}`

    await w.push(tech, [m.setStatus(create.args.id, 'inProgress')])
    expect(await resent()).toEqual([i])
    await w.push(tech, [m.void(entry.args.id)])
    expect((await resent()).sort()).toEqual([i, e].sort())
    const reinstalled = { ...tech, clientId: randomUUID(), nextMutationId: 1 }
    await w.push(reinstalled, [create, entry])
    expect((await resent()).sort()).toEqual([i, e].sort())
    // Refusals on rows the caller can see.
    await w.push(colleague, [m.void(entry.args.id)])
    expect((await resent(colleague)).sort()).toEqual([i, e].sort())
    await w.push(tech, [m.setStatus(create.args.id, 'done'), m.setStatus(create.args.id, 'signed')])
    await resent()
    await w.push(tech, [
      m.setStatus(create.args.id, 'inProgress'),
      m.update(create.args.id, 0, { title: 'Trop tard' })
    ])
    expect(await resent()).toEqual([i])
    await w.push(tech, [m.void(entry.args.id)])
    expect((await resent()).sort()).toEqual([i, e].sort())
    const { rows } = await w.db.query<{ code: string }>(
      'SELECT code FROM rejections WHERE client_id = $1 ORDER BY mutation_id',
      [tech.clientId]
    )
    expect(rows.map((r) => r.code)).toEqual(['status.locked', 'status.locked', 'status.locked'])
    const row = applyOps((await w.pullAll(tech)).ops)
      .get('interventions')
      ?.get(create.args.id)
    expect(row).toMatchObject({ status: 'signed', title: create.args.title })
  })

  it('pages a 10,000-row single write without skipping or repeating a row', async () => {
    const lead = await w.user('lead')
    const data = generateDemoData({
      today: '2025-06-01',
      interventions: 4000,
      timeEntries: 12000,
      seed: 7
    })
    const first = await w.pullAll(lead)
    let written = 0
    await w.db.transaction(async (tx) => {
      const version = await new VersionAllocator(tx).get()
      await importData(tx, data, version)
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM interventions WHERE version = $1',
        [version]
      )
      written = rows[0]?.n ?? 0
    })
    expect(written).toBe(4000)
    const seen = new Set<string>()
    let cookie = first.cookie
    let pages = 0
    let total = 0
    // A concurrent write between pages must not be lost either.
    let extra: { collectiviteId: string; conventionId: string } | null = null
    for (;;) {
      const page = await w.pull(lead, cookie)
      expect(page.reset).toBe(false)
      expect(page.ops.length).toBeLessThanOrEqual(PULL_PAGE_SIZE)
      for (const op of page.ops) {
        const key = `${op.table}/${op.key}`
        expect(seen.has(key), `repeated ${key}`).toBe(false)
        seen.add(key)
      }
      total += page.ops.length
      pages++
      cookie = page.cookie
      if (pages === 2) extra = await w.municipality('Ajoutée pendant la pagination')
      if (!page.more) break
    }
    const expected =
      data.collectivites.length +
      data.conventions.length +
      data.sites.length +
      data.assets.length +
      data.interventions.length +
      data.timeEntries.length +
      data.balances.length
    expect(expected).toBeGreaterThanOrEqual(10_000)
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected / PULL_PAGE_SIZE))
    for (const t of data.timeEntries) expect(seen.has(`timeEntries/${t.id}`)).toBe(true)
    for (const i of data.interventions) expect(seen.has(`interventions/${i.id}`)).toBe(true)
    expect(seen.has(`collectivites/${extra!.collectiviteId}`)).toBe(true)
    expect(seen.has(`balances/${extra!.conventionId}`)).toBe(true)
    expect(total).toBe(expected + 3)
  }, 120_000)

  it('resets on a null, unreadable, other-schema or other-scope cookie', async () => {
    const { tech, place } = await technicianWithPlace()
    await w.push(tech, [m.createIntervention(place)])
    const full = await w.pullAll(tech)
    expect(full.pages[0]?.reset).toBe(true)
    const incremental = await w.pull(tech, full.cookie)
    expect(incremental).toMatchObject({ reset: false, more: false, ops: [] })
    expect((await w.pull(tech, 'garbage!')).reset).toBe(true)
    expect((await w.pull(tech, Buffer.from('{"v":1}').toString('base64url'))).reset).toBe(true)
    const pullAs = async (schemaVersion: number, cookie: string) =>
      (
        await w.request(
          'POST',
          '/api/v1/sync/pull',
          { protocolVersion: 1, schemaVersion, clientGroupId: tech.clientGroupId, cookie },
          tech.token
        )
      ).json
    // A client of another schema version (an app update) is rebuilt once, then goes on from
    // the cookie it was given: a reset on every page would never get past the first one.
    const otherSchema = await pullAs(2, full.cookie)
    expect(otherSchema.reset).toBe(true)
    expect(await pullAs(2, otherSchema.cookie)).toMatchObject({ reset: false, ops: [] })
    expect((await pullAs(1, otherSchema.cookie)).reset).toBe(true)
    // A forged cookie with a bad key must reset, not crash.
    const forged = JSON.parse(Buffer.from(full.cookie, 'base64url').toString())
    const bad = Buffer.from(JSON.stringify({ ...forged, t: 4, k: "x' OR 1=1" })).toString(
      'base64url'
    )
    expect((await w.pull(tech, bad)).reset).toBe(true)
    // Table positions past what SQL's int holds, or not integers in JSON text, reset too.
    for (const t of [2 ** 31, -(2 ** 31) - 1, 1e21, -2])
      expect(
        (await w.pull(tech, Buffer.from(JSON.stringify({ ...forged, t })).toString('base64url')))
          .reset
      ).toBe(true)
    // Scope change: a new assignment brings older rows through a reset.
    const other = await w.municipality('Autre commune')
    await w.assign(tech, other.collectiviteId)
    const after = await w.pullAll(tech, full.cookie)
    expect(after.pages[0]?.reset).toBe(true)
    expect(applyOps(after.ops).get('collectivites')?.has(other.collectiviteId)).toBe(true)
  })

  it('resets every client after rotate-epoch (a restored backup)', async () => {
    const { tech, place } = await technicianWithPlace()
    await w.push(tech, [m.createIntervention(place)])
    const { cookie } = await w.pullAll(tech)
    expect((await w.pull(tech, cookie)).reset).toBe(false)
    await rotateEpoch(w.db)
    const after = await w.pullAll(tech, cookie)
    expect(after.pages[0]?.reset).toBe(true)
    expect(applyOps(after.ops).get('interventions')?.size).toBe(1)
  })

  it('answers a pull page as UTF-8 JSON of its exact length', async () => {
    const lead = await w.user('lead')
    // From the end of what earlier tests wrote: the page then holds the new rows.
    const { cookie } = await w.pullAll(lead)
    const name = 'Saint-Étienne-lès-Œuvres — « accents »'
    const { collectiviteId } = await w.municipality(name)
    const res = await w.request(
      'POST',
      '/api/v1/sync/pull',
      {
        protocolVersion: PROTOCOL_VERSION,
        schemaVersion: 1,
        clientGroupId: lead.clientGroupId,
        cookie
      },
      lead.token
    )
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(res.json)))
    const op = (res.json as PullResponse).ops.find((o) => o.key === collectiviteId)
    expect(op?.op === 'put' && op.value['name']).toBe(name)
  })

  it('sends tombstones as del ops', async () => {
    const lead = await w.user('lead')
    const place = await w.municipality()
    const { cookie } = await w.pullAll(lead)
    await w.db.transaction(async (tx) => {
      const version = await new VersionAllocator(tx).get()
      await tx.query(
        'UPDATE balances SET deleted_at = now(), version = $2 WHERE convention_id = $1',
        [place.conventionId, version]
      )
    })
    const page = await w.pull(lead, cookie)
    expect(page.ops).toEqual([{ op: 'del', table: 'balances', key: place.conventionId }])
    // A reset skips tombstones older than its snapshot: nothing to delete in a fresh copy.
    const fresh = await w.pullAll(lead)
    expect(fresh.ops.some((op) => op.op === 'del')).toBe(false)
  })
})
