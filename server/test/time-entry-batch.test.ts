import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { describeBackends } from './helpers/backends'
import { m, makeWorld, type Caller, type World } from './helpers/harness'
import { recordSentQueries } from './helpers/sent-queries'

/**
 * A run of timeEntry.add.v1 in one push goes through the batched path (time-entry-batch.ts); a
 * push of one mutation goes one by one. Both must leave the same rows and the same rejections.
 */
describeBackends('time entries added in a batch', (backend) => {
  let w: World
  let lead: Caller

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
    lead = await w.user('lead')
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const asset = async (collectiviteId: string) => {
    const id = randomUUID()
    await w.db.query(
      `INSERT INTO assets (id, collectivite_id, name, category, version)
       VALUES ($1, $2, 'Serveur mairie', 'server', 1)`,
      [id, collectiviteId]
    )
    return id
  }

  /** A fresh world slice and its 200 mutations, valid ones with a few of every refusal. */
  const scenario = async () => {
    const tech = await w.user()
    const p = await w.municipality()
    const q = await w.municipality()
    await w.assign(tech, p.collectiviteId)
    const [a, b, s] = [m.createIntervention(p), m.createIntervention(p), m.createIntervention(p)]
    const c = m.createIntervention(q)
    const [good, bad] = [await asset(p.collectiviteId), await asset(q.collectiviteId)]
    const theirs = m.addEntry(a.args.id, '2025-01-01T08:00:00Z', 30)
    const mine = m.addEntry(a.args.id, '2025-01-01T09:00:00Z', 30)
    expect((await w.push(tech, [a, b, s, mine])).json).toEqual({ lastMutationId: 4 })
    expect((await w.push(lead, [c, theirs])).status).toBe(200)
    await w.db.query(`UPDATE interventions SET status = 'signed' WHERE id = $1`, [s.args.id])
    const at = (i: number) => new Date(Date.UTC(2025, 1, 1, 6) + i * 3_600_000).toISOString()
    const mutations = Array.from({ length: 200 }, (_, i) => {
      const target = i % 3 === 0 ? b.args.id : a.args.id
      switch (i % 23) {
        case 3:
          return m.addEntry(target, at(i), -10)
        case 5:
          return m.addEntry(randomUUID(), at(i), 10)
        case 7:
          return m.addEntry(c.args.id, at(i), 10)
        case 11:
          return m.addEntry(s.args.id, at(i), 10)
        case 13:
          return m.addEntry(target, at(i), 10, { assetId: bad })
        case 17:
          return m.addEntry(target, at(i), 10, { assetId: good, note: 'Avec poste' })
        case 19:
          return m.addEntry(target, at(i), 10, { unknown: 1 })
        case 21:
          return m.addEntry(target, at(i), 25 * 60)
        default:
          return m.addEntry(target, at(i), 5 + (i % 40))
      }
    })
    mutations[40] = { ...theirs, args: { ...theirs.args } }
    mutations[41] = { ...mine, args: { ...mine.args } }
    return { tech, p, ids: { a: a.args.id, b: b.args.id }, mutations }
  }

  type Scenario = Awaited<ReturnType<typeof scenario>>

  const outcome = async ({ tech, p, ids, mutations }: Scenario) => {
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
    const { rows: rejections } = await w.db.query<{
      mutation_id: number
      code: string
      reason: string
    }>(
      `SELECT mutation_id, code, reason FROM rejections WHERE client_id = $1 ORDER BY mutation_id`,
      [tech.clientId]
    )
    const entries = []
    for (const mutation of mutations) {
      const { rows } = await w.db.query<Record<string, unknown>>(
        `SELECT technician_id = $2 AS mine, started_at, ended_at, mode, source,
                asset_id IS NOT NULL AS asset, note, future_dated
           FROM time_entries WHERE id = $1`,
        [mutation.args.id, tech.technicianId]
      )
      entries.push(rows[0] ?? null)
    }
    const { rows: units } = await w.db.query(
      'SELECT seconds, units FROM interventions WHERE id = ANY($1::uuid[]) ORDER BY id = $2',
      [[ids.a, ids.b], ids.a]
    )
    const { rows: balance } = await w.db.query(
      'SELECT units_consumed FROM balances WHERE convention_id = $1',
      [p.conventionId]
    )
    return {
      rejections: rejections.map((r) => ({
        mutation: r.mutation_id,
        code: r.code,
        reason: r.reason.replaceAll(uuid, 'ID')
      })),
      entries,
      units,
      balance
    }
  }

  it('leaves the same rows and rejections as one mutation per push', async () => {
    const batched = await scenario()
    const res = await w.push(batched.tech, batched.mutations)
    expect(res.json).toEqual({ lastMutationId: 204 })
    const { rows: versions } = await w.db.query(
      'SELECT DISTINCT version FROM time_entries WHERE technician_id = $1 AND started_at >= $2',
      [batched.tech.technicianId, '2025-02-01T00:00:00Z']
    )
    expect(versions).toHaveLength(1)

    const single = await scenario()
    for (const mutation of single.mutations) {
      expect((await w.push(single.tech, [mutation])).status).toBe(200)
    }
    expect(single.tech.nextMutationId).toBe(205)

    const [x, y] = [await outcome(batched), await outcome(single)]
    expect(x).toEqual(y)
    const codes = [...new Set(x.rejections.map((r) => r.code))]
    expect(codes).toEqual(
      expect.arrayContaining([
        'scope.forbidden',
        'status.locked',
        'reference.invalid',
        'validation.failed'
      ])
    )
    expect(x.rejections.length).toBeGreaterThan(50)
    expect(x.entries[41]).toMatchObject({ mine: true })
    expect(x.entries[40]).toMatchObject({ mine: false })
  }, 120_000)

  it('counts units right when voids and one-by-one entries come between and after batches', async () => {
    // The batch hands the units it read back to the push; a later change must not be missed.
    const run = async (onePerPush: boolean) => {
      const tech = await w.user()
      const p = await w.municipality()
      await w.assign(tech, p.collectiviteId)
      const x = m.createIntervention(p)
      const old = m.addEntry(x.args.id, '2025-04-01T08:00:00Z', 20)
      expect((await w.push(tech, [x, old])).status).toBe(200)
      const at = (h: number) => `2025-04-02T${String(h).padStart(2, '0')}:00:00Z`
      const add = (h: number) => m.addEntry(x.args.id, at(h), 16)
      const [a1, a2, a3, a4, a5] = [add(7), add(8), add(9), add(10), add(11)]
      const mutations = [
        a1,
        a2,
        m.void(a1.args.id),
        a3,
        a4,
        m.void(old.args.id),
        // The same id twice ends a run: the second goes one by one (a replay).
        a5,
        a5,
        m.addEntry(x.args.id, at(12), 1),
        // Last, after the batch that read the units: a change one by one.
        m.void(a2.args.id)
      ]
      if (onePerPush)
        for (const mutation of mutations) expect((await w.push(tech, [mutation])).status).toBe(200)
      else expect((await w.push(tech, mutations)).status).toBe(200)
      const { rows } = await w.db.query<{ seconds: number; units: number }>(
        'SELECT seconds, units FROM interventions WHERE id = $1',
        [x.args.id]
      )
      const { rows: balance } = await w.db.query<{ units_consumed: number }>(
        'SELECT units_consumed FROM balances WHERE convention_id = $1',
        [p.conventionId]
      )
      return { ...rows[0], consumed: balance[0]?.units_consumed }
    }
    const batched = await run(false)
    // a3..a5 (3 x 16 min) and 1 min: 49 min, 4 units on the whole-intervention scope.
    expect(batched).toEqual({ seconds: 49 * 60, units: 4, consumed: 4 })
    expect(await run(true)).toEqual(batched)
  }, 60_000)

  it('counts an intervention once when a push names it in upper and lower case', async () => {
    const tech = await w.user()
    const p = await w.municipality()
    await w.assign(tech, p.collectiviteId)
    const x = m.createIntervention(p)
    expect((await w.push(tech, [x])).status).toBe(200)
    const upper = x.args.id.toUpperCase()
    const res = await w.push(tech, [
      m.addEntry(x.args.id, '2025-05-05T08:00:00Z', 10),
      m.addEntry(upper, '2025-05-05T09:00:00Z', 10),
      m.addEntry(upper, '2025-05-05T10:00:00Z', 10)
    ])
    expect(res.status).toBe(200)
    const { rows } = await w.db.query<{ units: number; consumed: number }>(
      `SELECT i.units, b.units_consumed AS consumed FROM interventions i
         JOIN balances b ON b.convention_id = i.convention_id WHERE i.id = $1`,
      [x.args.id]
    )
    // 30 minutes: 2 units, on the intervention and on the agreement alike.
    expect(rows[0]).toEqual({ units: 2, consumed: 2 })
  })

  it('replays a whole batch as a no-op', async () => {
    const s = await scenario()
    expect((await w.push(s.tech, s.mutations)).json).toEqual({ lastMutationId: 204 })
    const before = await outcome(s)
    const again = await w.push(s.tech, s.mutations, { ids: s.mutations.map((_, i) => 5 + i) })
    expect(again.json).toEqual({ lastMutationId: 204 })
    expect(await outcome(s)).toEqual(before)
    // A reinstalled client (new counters) re-sending the same entries duplicates nothing.
    const fresh = { ...s.tech, clientId: randomUUID(), nextMutationId: 1 }
    expect((await w.push(fresh, s.mutations)).json).toEqual({ lastMutationId: 200 })
    const after = await outcome(s)
    expect(after.entries).toEqual(before.entries)
    expect(after.units).toEqual(before.units)
  }, 120_000)

  // Two connections: PostgreSQL only (PGlite has one, so nothing can write in between there).
  if (backend.name === 'postgres')
    it('keeps every entry once when an id is written between the check and the insert', async () => {
      // A writer that does not hold the version row (none of the server's does) inserts one of
      // the push's entries and commits only once the push waits on it (its foreign key check
      // locks the intervention): the batch's statement saw the id free, so its INSERT fails,
      // and the push must be redone with savepoints, where the id is seen taken (a replay).
      const tech = await w.user()
      const p = await w.municipality()
      await w.assign(tech, p.collectiviteId)
      const x = m.createIntervention(p)
      expect((await w.push(tech, [x])).status).toBe(200)
      const run = [7, 8, 9].map((h) => m.addEntry(x.args.id, `2025-06-02T0${h}:00:00Z`, 20))
      const early = run[1]?.args as { id: string; startedAt: string; endedAt: string }
      let release = () => {}
      const held = new Promise<void>((resolve) => (release = resolve))
      const outside = w.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO time_entries (id, intervention_id, collectivite_id, technician_id,
             started_at, ended_at, mode, source, created_at, received_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, 'onSite', 'manual', now(), now(), 1)`,
          [early.id, x.args.id, p.collectiviteId, tech.technicianId, early.startedAt, early.endedAt]
        )
        await held
      })
      const sent = recordSentQueries()
      const pushed = w.push(tech, run)
      // Until the push waits on a lock the outside writer holds.
      for (let waited = 0; ; waited += 20) {
        const { rows } = await w.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted'
        )
        if ((rows[0]?.n ?? 0) > 0) break
        if (waited > 10_000) throw new Error('the push never waited on the outside writer')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      release()
      await outside
      const res = await pushed
      vi.restoreAllMocks()
      expect(res.json).toEqual({ lastMutationId: 4 })
      // The first attempt was rolled back, the second ran with savepoints.
      expect(sent).toContain('ROLLBACK')
      expect(sent.some((q) => q.includes('SAVEPOINT'))).toBe(true)
      const { rows: entries } = await w.db.query<{ id: string }>(
        'SELECT id FROM time_entries WHERE intervention_id = $1 ORDER BY started_at',
        [x.args.id]
      )
      expect(entries.map((e) => e.id)).toEqual(run.map((e) => e.args.id))
      const { rows: rejected } = await w.db.query(
        'SELECT mutation_id FROM rejections WHERE client_id = $1',
        [tech.clientId]
      )
      expect(rejected).toEqual([])
      // Three entries of 20 minutes on the whole-intervention scope: 60 minutes, 4 units.
      const { rows } = await w.db.query<{ seconds: number; units: number; consumed: number }>(
        `SELECT i.seconds, i.units, b.units_consumed AS consumed FROM interventions i
           JOIN balances b ON b.convention_id = i.convention_id WHERE i.id = $1`,
        [x.args.id]
      )
      expect(rows[0]).toEqual({ seconds: 3600, units: 4, consumed: 4 })
    }, 60_000)

  it('bumps the version once per push that applies something, never for a replay or a gap', async () => {
    const s = await scenario()
    const version = async () =>
      Number((await w.db.query<{ v: string }>('SELECT value AS v FROM server_version')).rows[0]?.v)
    const v0 = await version()
    expect((await w.push(s.tech, s.mutations.slice(0, 50))).json).toEqual({ lastMutationId: 54 })
    const v1 = await version()
    expect(v1).toBe(v0 + 1)
    const replay = await w.push(s.tech, s.mutations.slice(0, 50), {
      ids: s.mutations.slice(0, 50).map((_, i) => 5 + i)
    })
    expect(replay.json).toEqual({ lastMutationId: 54 })
    const gap = await w.push(s.tech, s.mutations.slice(60, 70), {
      ids: s.mutations.slice(60, 70).map((_, i) => 65 + i)
    })
    expect(gap.json).toEqual({ lastMutationId: 54 })
    expect(await version()).toBe(v1)
    // A replay and the next ids in one push: applied once, one bump.
    const mixed = await w.push(s.tech, s.mutations.slice(40, 70), {
      ids: s.mutations.slice(40, 70).map((_, i) => 45 + i)
    })
    expect(mixed.json).toEqual({ lastMutationId: 74 })
    expect(await version()).toBe(v1 + 1)
  }, 120_000)
})
