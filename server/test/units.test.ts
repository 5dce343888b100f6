import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCollectivite, createConvention } from '../src/admin/commands'
import { describeBackends } from './helpers/backends'
import { applyOps, m, makeWorld, TEST_CONFIG, type Caller, type World } from './helpers/harness'
import { authenticate } from '../src/auth/sessions'
import { applyPush } from '../src/sync/push'
import { PROTOCOL_VERSION, type PushRequest } from '../../src/shared/sync/protocol'

describeBackends('server-side units and rules', (backend) => {
  let w: World
  let tech: Caller
  let place: { collectiviteId: string; conventionId: string }

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
    tech = await w.user()
    place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const interventionRow = async (id: string) =>
    applyOps((await w.pullAll(tech)).ops)
      .get('interventions')
      ?.get(id)
  const balanceRow = async (conventionId: string) =>
    applyOps((await w.pullAll(tech)).ops)
      .get('balances')
      ?.get(conventionId)

  /**
   * An intervention with one 20-minute entry, in a municipality of its own: the other cases
   * count the shared agreement's units.
   */
  const ownIntervention = async (name: string) => {
    const own = await w.municipality(name)
    await w.assign(tech, own.collectiviteId)
    const create = m.createIntervention(own)
    const entry = m.addEntry(create.args.id, '2025-03-04T08:00:00Z', 20)
    await w.push(tech, [create, entry])
    return { create, entry }
  }

  it('refuses a hand edit that would give pulls an instant no laptop can read', async () => {
    const { create, entry } = await ownIntervention('Commune aux dates impossibles')
    const edit = (table: string, column: string, value: string, id: string) =>
      w.db.query(`UPDATE ${table} SET ${column} = $1::timestamptz WHERE id = $2`, [value, id])
    // The constraint's name too: some values break older rules as well (end after start).
    const codeOf = async (work: Promise<unknown>) =>
      work.then(
        () => 'ok',
        (error: { code?: string; constraint?: string }) => `${error.code} ${error.constraint}`
      )
    for (const value of [
      'infinity',
      '-infinity',
      '10000-01-01 00:00:00+00',
      '0002-12-31 23:59:59+00 BC'
    ]) {
      expect(await codeOf(edit('time_entries', 'created_at', value, entry.args.id)), value).toBe(
        '23514 time_entries_created_at_readable'
      )
      expect(await codeOf(edit('interventions', 'updated_at', value, create.args.id)), value).toBe(
        '23514 interventions_updated_at_readable'
      )
    }
    // The edges of years 0000-9999 stay writable, and pulls still read them.
    expect(
      await codeOf(edit('time_entries', 'voided_at', '9999-12-31 23:59:59.999+00', entry.args.id))
    ).toBe('ok')
    expect(
      await codeOf(edit('interventions', 'created_at', '0001-01-01 00:00:00+00 BC', create.args.id))
    ).toBe('ok')
    const rows = applyOps((await w.pullAll(tech)).ops)
    expect(rows.get('timeEntries')?.get(entry.args.id)).toMatchObject({
      voidedAt: '9999-12-31T23:59:59.999Z'
    })
    expect(rows.get('interventions')?.get(create.args.id)).toMatchObject({
      createdAt: '0000-01-01T00:00:00.000Z'
    })
    // Nor can a laptop send one: an offset that carries 31 Dec 9999 into year 10000 is refused.
    const far = m.addEntry(create.args.id, '9999-12-31T22:00:00Z', 0, {
      endedAt: '9999-12-31T23:30:00-01:00'
    })
    const answer = await w.push(tech, [far])
    expect(answer.status).toBe(200)
    const after = applyOps((await w.pullAll(tech)).ops)
    expect(after.get('timeEntries')?.has(far.args.id)).toBe(false)
    const refused = [...(after.get('rejections')?.values() ?? [])].filter(
      (r) => r.mutationId === answer.json.lastMutationId
    )
    expect(refused).toEqual([expect.objectContaining({ code: 'validation.failed' })])
  })

  it('refuses a hand edit that would give pulls a date no laptop can read', async () => {
    const own = await w.municipality('Commune aux jours impossibles')
    await w.assign(tech, own.collectiviteId)
    const create = m.createIntervention(own, { scheduledFor: '2025-06-02' })
    expect((await w.push(tech, [create])).status).toBe(200)
    const edit = (table: string, column: string, value: string, id: string) =>
      w.db.query(`UPDATE ${table} SET ${column} = $1::date WHERE id = $2`, [value, id]).then(
        () => 'ok',
        (error: { code?: string; constraint?: string }) => `${error.code} ${error.constraint}`
      )
    for (const value of ['infinity', '-infinity', '10000-01-01', '0001-12-31 BC']) {
      expect(await edit('conventions', 'ends_on', value, own.conventionId), value).toBe(
        '23514 conventions_ends_on_readable'
      )
      expect(await edit('interventions', 'scheduled_for', value, create.args.id), value).toBe(
        '23514 interventions_scheduled_for_readable'
      )
    }
    // The edges stay writable, and pulls send them as the laptops read them.
    expect(await edit('conventions', 'terminated_on', '9999-12-31', own.conventionId)).toBe('ok')
    expect(await edit('interventions', 'scheduled_for', '0001-01-01', create.args.id)).toBe('ok')
    const rows = applyOps((await w.pullAll(tech)).ops)
    expect(rows.get('conventions')?.get(own.conventionId)).toMatchObject({
      terminatedOn: '9999-12-31'
    })
    expect(rows.get('interventions')?.get(create.args.id)).toMatchObject({
      scheduledFor: '0001-01-01'
    })
  })

  it('keeps syncing when an entry edited outside Carnet breaks the rule: figures kept, logged', async () => {
    const { create, entry: first } = await ownIntervention('Commune modifiée à la main')
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 1200, units: 2 })
    // By hand in the database: 30 h, which no write path of Carnet would store.
    await w.db.query(
      `UPDATE time_entries SET ended_at = started_at + interval '30 hours' WHERE id = $1`,
      [first.args.id]
    )
    const warnings: Array<{ detail: Record<string, unknown>; message: string }> = []
    const log = {
      warn: (detail: Record<string, unknown>, message: string) =>
        void warnings.push({ detail, message })
    }
    const auth = await authenticate(w.db, `Bearer ${tech.token}`)
    const later = m.addEntry(create.args.id, '2025-03-05T08:00:00Z', 10)
    const push = (mutations: Array<{ name: string; args: unknown }>) => {
      const body = {
        protocolVersion: PROTOCOL_VERSION,
        schemaVersion: 1,
        clientGroupId: tech.clientGroupId,
        clientId: tech.clientId,
        mutations: mutations.map((mu, i) => ({
          id: tech.nextMutationId + i,
          name: mu.name,
          args: mu.args,
          clientTime: new Date().toISOString()
        }))
      }
      return applyPush(w.db, TEST_CONFIG, auth, body as PushRequest, log)
    }
    const result = await push([later])
    tech.nextMutationId = result.lastMutationId + 1
    // Applied (the laptop's later pushes are not stuck behind it); the figures are left alone.
    const row = await interventionRow(create.args.id)
    expect(row).toMatchObject({ seconds: 1200, units: 2 })
    const { rows } = await w.db.query('SELECT 1 FROM time_entries WHERE id = $1', [later.args.id])
    expect(rows).toHaveLength(1)
    expect(warnings).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ intervention: create.args.id, code: 'time.tooLong' })
      })
    ])
    // Once the bad entry is voided, the next write recomputes from the entries left.
    await w.push(tech, [m.void(first.args.id)])
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 600, units: 1 })
  })

  it('recomputes seconds, units and consumption with the shared rule (15:00 = 1, 15:01 = 2)', async () => {
    const create = m.createIntervention(place)
    const start = '2025-03-03T08:00:00Z'
    const exact = m.addEntry(create.args.id, start, 15)
    await w.push(tech, [create, exact])
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 900, units: 1 })
    const plusOne = m.addEntry(create.args.id, '2025-03-03T10:00:00Z', 0, {
      endedAt: '2025-03-03T10:00:01Z'
    })
    await w.push(tech, [plusOne])
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 901, units: 2 })
    expect(await balanceRow(place.conventionId)).toMatchObject({
      unitsPurchased: 100,
      unitsConsumed: 2,
      state: 'expired'
    })
    await w.push(tech, [m.void(plusOne.args.id)])
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 900, units: 1 })
    expect((await balanceRow(place.conventionId)).unitsConsumed).toBe(1)
  })

  it("ignores a client's claim about units: such mutations are rejected and change nothing", async () => {
    const create = m.createIntervention(place)
    const entry = m.addEntry(create.args.id, '2025-03-04T08:00:00Z', 20)
    const res = await w.push(tech, [
      create,
      { ...entry, args: { ...entry.args, units: 1 } },
      m.update(create.args.id, 0, { units: 99, seconds: 1 } as never),
      { ...m.createIntervention(place), args: { ...m.createIntervention(place).args, units: 50 } }
    ])
    expect(res.status).toBe(200)
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 0, units: 0 })
    const rows = applyOps((await w.pullAll(tech)).ops)
    const codes = [...rows.get('rejections')!.values()]
      .filter((r) => r.mutationId > res.json.lastMutationId - 3)
      .map((r) => r.code)
    expect(codes).toEqual(['validation.failed', 'validation.failed', 'validation.failed'])
  })

  it("applies the agreement's policy (entry scope rounds each entry)", async () => {
    const collectiviteId = await createCollectivite(w.db, { name: 'Par entrée' })
    const conventionId = await createConvention(w.db, {
      collectiviteId,
      number: '2025ENT001',
      unitsPurchased: 10,
      startsOn: '2025-01-01',
      endsOn: '2025-12-31',
      scope: 'entry'
    })
    await w.assign(tech, collectiviteId)
    const create = m.createIntervention({ collectiviteId, conventionId })
    await w.push(tech, [
      create,
      m.addEntry(create.args.id, '2025-03-05T08:00:00Z', 5),
      m.addEntry(create.args.id, '2025-03-05T09:00:00Z', 5)
    ])
    expect(await interventionRow(create.args.id)).toMatchObject({ seconds: 600, units: 2 })
  })

  it('rejects bad spans with their domain code and entries on a signed intervention', async () => {
    const create = m.createIntervention(place)
    const id = create.args.id
    const res = await w.push(tech, [
      create,
      m.addEntry(id, '2025-03-06T08:00:00Z', -10),
      m.addEntry(id, '2025-03-06T08:00:00Z', 0),
      m.addEntry(id, '2025-03-06T08:00:00Z', 24 * 60 + 1),
      m.setStatus(id, 'inProgress'),
      m.setStatus(id, 'done'),
      m.setStatus(id, 'signed'),
      m.addEntry(id, '2025-03-06T08:00:00Z', 10),
      m.update(id, 0, { title: 'Après signature' }),
      m.setStatus(id, 'inProgress')
    ])
    const first = res.json.lastMutationId - 9
    const rejections = [
      ...applyOps((await w.pullAll(tech)).ops)
        .get('rejections')!
        .values()
    ]
      .filter((r) => r.mutationId >= first)
      .map((r) => [r.mutationId - first, r.code])
    expect(rejections).toEqual([
      [1, 'time.endBeforeStart'],
      [2, 'time.zeroLength'],
      [3, 'time.tooLong'],
      [7, 'status.locked'],
      [8, 'status.locked'],
      [9, 'status.locked']
    ])
    expect(await interventionRow(id)).toMatchObject({ status: 'signed', units: 0 })
  })

  it('keeps receivedAt and flags entries dated in the future instead of failing', async () => {
    const create = m.createIntervention(place)
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString()
    const soon = new Date(Date.now() + 60_000).toISOString()
    const skewed = m.addEntry(create.args.id, tomorrow, 30)
    const fine = m.addEntry(create.args.id, new Date(Date.now() - 3600_000).toISOString(), 30)
    const slight = m.addEntry(create.args.id, new Date(Date.now() - 10 * 60_000).toISOString(), 0, {
      endedAt: soon
    })
    await w.push(tech, [create, skewed, fine, slight])
    const entries = applyOps((await w.pullAll(tech)).ops).get('timeEntries')!
    expect(entries.get(skewed.args.id)).toMatchObject({
      futureDated: true,
      technicianId: tech.technicianId
    })
    expect(entries.get(fine.args.id)).toMatchObject({ futureDated: false })
    expect(entries.get(slight.args.id)).toMatchObject({ futureDated: false })
    expect(Date.parse(entries.get(skewed.args.id).receivedAt)).toBeLessThanOrEqual(Date.now())
  })

  it('resolves concurrent edits per field by arrival and logs the overwritten value', async () => {
    const other = await w.user('technician', 'Second')
    await w.assign(other, place.collectiviteId)
    const create = m.createIntervention(place)
    await w.push(tech, [create])
    const base = (await interventionRow(create.args.id)).version
    await w.push(tech, [
      m.update(create.args.id, base, { title: 'Titre de A', notes: 'Notes de A' })
    ])
    await w.push(other, [
      m.update(create.args.id, base, { title: 'Titre de B', resolution: 'Réglé' })
    ])
    expect(await interventionRow(create.args.id)).toMatchObject({
      title: 'Titre de B',
      notes: 'Notes de A',
      resolution: 'Réglé'
    })
    const { rows } = await w.db.query<Record<string, unknown>>(
      'SELECT field, old_value, new_value, old_written_by, written_by FROM conflicts WHERE intervention_id = $1',
      [create.args.id]
    )
    expect(rows).toEqual([
      {
        field: 'title',
        old_value: 'Titre de A',
        new_value: 'Titre de B',
        old_written_by: tech.technicianId,
        written_by: other.technicianId
      }
    ])
  })

  it('bills an entry as the laptop does: to the millisecond, before 1970 and past 3 digits too', async () => {
    for (const batch of [false, true]) {
      const create = m.createIntervention(place)
      const span = (startedAt: string, endedAt: string) =>
        m.addEntry(create.args.id, startedAt, 0, { endedAt })
      const entries = [
        // 15:00.0005 is 15:00.000 for the shared rule (digits past the ms are dropped): 1 unit.
        span('1960-01-01T00:00:00.000Z', '1960-01-01T00:15:00.0005Z'),
        span('2025-03-10T08:00:00.000Z', '2025-03-10T08:15:00.0009996Z'),
        // Exactly 24 h for the shared rule, so accepted.
        span('1960-02-01T00:00:00.000Z', '1960-02-02T00:00:00.0005Z')
      ]
      const mutations = batch ? [create, ...entries] : [create]
      expect((await w.push(tech, mutations)).status).toBe(200)
      if (!batch) for (const e of entries) expect((await w.push(tech, [e])).status).toBe(200)
      const row = await interventionRow(create.args.id)
      expect(row).toMatchObject({ seconds: 900 + 900 + 86400, units: 1 + 1 + 96 })
      const { rows } = await w.db.query<{ ended_at: Date }>(
        'SELECT ended_at FROM time_entries WHERE intervention_id = $1 ORDER BY started_at',
        [create.args.id]
      )
      expect(rows.map((r) => r.ended_at.toISOString())).toEqual([
        '1960-01-01T00:15:00.000Z',
        '1960-02-02T00:00:00.000Z',
        '2025-03-10T08:15:00.000Z'
      ])
    }
  })
})
