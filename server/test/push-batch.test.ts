import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBackends } from './helpers/backends'
import { m, makeWorld, type Caller, type World } from './helpers/harness'

/**
 * A push recomputes units once per intervention and moves each balance once, before commit
 * (server/src/sync/recompute.ts). These check the figures that come out of it against the
 * definition: an intervention's units from its live entries, an agreement's consumption as its
 * audited adjustment plus its live interventions' units, whatever the interleaving.
 */
describeBackends('units recomputed once per push', (backend) => {
  let w: World
  let tech: Caller
  let lead: Caller

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
    tech = await w.user()
    lead = await w.user('lead')
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const place = async () => {
    const p = await w.municipality()
    await w.assign(tech, p.collectiviteId)
    return p
  }
  const units = async (id: string) =>
    (
      await w.db.query<{ seconds: number; units: number }>(
        'SELECT seconds, units FROM interventions WHERE id = $1',
        [id]
      )
    ).rows[0]
  const balance = async (conventionId: string) =>
    (
      await w.db.query<{ consumed: number; expected: number }>(
        `SELECT b.units_consumed AS consumed,
                (b.units_adjustment + COALESCE((SELECT SUM(units) FROM interventions
                   WHERE convention_id = b.convention_id AND deleted_at IS NULL), 0))::int AS expected
           FROM balances b WHERE b.convention_id = $1`,
        [conventionId]
      )
    ).rows[0]

  it('handles many entries, a void and a refusal on several agreements in one push', async () => {
    const [p1, p2] = [await place(), await place()]
    const a = m.createIntervention(p1)
    const b = m.createIntervention(p1)
    const c = m.createIntervention(p2)
    const voided = m.addEntry(a.args.id, '2025-03-03T08:00:00Z', 40)
    const res = await w.push(tech, [
      a,
      b,
      c,
      voided,
      m.addEntry(a.args.id, '2025-03-03T09:00:00Z', 15),
      m.addEntry(a.args.id, '2025-03-03T10:00:00Z', 16),
      m.addEntry(b.args.id, '2025-03-03T11:00:00Z', 30),
      m.addEntry(c.args.id, '2025-03-03T12:00:00Z', 45),
      m.void(voided.args.id),
      m.addEntry(randomUUID(), '2025-03-03T13:00:00Z', 30)
    ])
    expect(res.json).toEqual({ lastMutationId: 10 })
    expect(await units(a.args.id)).toEqual({ seconds: 31 * 60, units: 3 })
    expect(await units(b.args.id)).toEqual({ seconds: 30 * 60, units: 2 })
    expect(await units(c.args.id)).toEqual({ seconds: 45 * 60, units: 3 })
    expect(await balance(p1.conventionId)).toEqual({ consumed: 5, expected: 5 })
    expect(await balance(p2.conventionId)).toEqual({ consumed: 3, expected: 3 })
  })

  it('creates a missing balance row with the adjustment-free sum', async () => {
    const p = await place()
    const a = m.createIntervention(p)
    await w.push(tech, [a, m.addEntry(a.args.id, '2025-03-04T08:00:00Z', 30)])
    await w.db.query('DELETE FROM balances WHERE convention_id = $1', [p.conventionId])
    await w.push(tech, [m.addEntry(a.args.id, '2025-03-04T09:00:00Z', 15)])
    expect(await balance(p.conventionId)).toEqual({ consumed: 3, expected: 3 })
  })

  it('keeps every balance exact under concurrent pushes on one agreement', async () => {
    const p = await place()
    const creates = Array.from({ length: 8 }, () => m.createIntervention(p))
    await w.push(lead, creates)
    await w.db.query(
      'UPDATE balances SET units_adjustment = 7, units_consumed = 7 WHERE convention_id = $1',
      [p.conventionId]
    )
    const devices = creates.map(() => ({
      ...tech,
      clientGroupId: randomUUID(),
      clientId: randomUUID(),
      nextMutationId: 1
    }))
    const results = await Promise.all(
      devices.map((device, i) =>
        w.push(
          device,
          Array.from({ length: 6 }, (_, k) =>
            m.addEntry(creates[i]!.args.id, `2025-03-05T0${k}:0${i}:00Z`, 20)
          )
        )
      )
    )
    for (const r of results) expect(r.json).toEqual({ lastMutationId: 6 })
    // Each device works on its own intervention: only the agreement's balance is shared.
    // 6 entries of 20 min per intervention: 120 min = 8 units each.
    for (const c of creates) expect((await units(c.args.id))?.units).toBe(8)
    expect(await balance(p.conventionId)).toEqual({ consumed: 7 + 64, expected: 7 + 64 })
  })

  it('redoes a push with savepoints when a mutation fails in the database itself', async () => {
    const p = await place()
    const a = m.createIntervention(p)
    const dev = { ...tech, clientGroupId: randomUUID(), clientId: randomUUID(), nextMutationId: 1 }
    await w.push(dev, [a])
    // A constraint the arguments' schema knows nothing of: the INSERT itself fails.
    await w.db.query(
      "ALTER TABLE time_entries ADD CONSTRAINT test_boom CHECK (note IS DISTINCT FROM 'boom')"
    )
    try {
      const res = await w.push(dev, [
        m.addEntry(a.args.id, '2025-03-06T08:00:00Z', 15),
        m.addEntry(a.args.id, '2025-03-06T09:00:00Z', 15, { note: 'boom' }),
        m.addEntry(a.args.id, '2025-03-06T10:00:00Z', 15)
      ])
      expect(res).toMatchObject({ status: 200, json: { lastMutationId: 4 } })
    } finally {
      await w.db.query('ALTER TABLE time_entries DROP CONSTRAINT test_boom')
    }
    const { rows } = await w.db.query<{ code: string }>(
      'SELECT code FROM rejections WHERE client_id = $1',
      [dev.clientId]
    )
    expect(rows.map((r) => r.code)).toEqual(['validation.failed'])
    expect(await units(a.args.id)).toEqual({ seconds: 30 * 60, units: 2 })
    expect(await balance(p.conventionId)).toMatchObject({ consumed: 2 })
  })

  it('stores a note with a lone surrogate as U+FFFD, in a batch as one by one', async () => {
    const p = await place()
    const create = m.createIntervention(p)
    const a = m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 10, { note: 'a\ud800b' })
    const b = m.addEntry(create.args.id, '2025-03-03T09:00:00Z', 10, { note: 'ok' })
    const res = await w.push(tech, [create, a, b])
    expect(res.status).toBe(200)
    const { rows } = await w.db.query<{ note: string }>(
      'SELECT note FROM time_entries WHERE intervention_id = $1 ORDER BY started_at',
      [create.args.id]
    )
    expect(rows.map((r) => r.note)).toEqual(['a\ufffdb', 'ok'])
    expect(await units(create.args.id)).toEqual({ seconds: 20 * 60, units: 2 })
  })
})
