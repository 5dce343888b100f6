import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { describeBackends } from './helpers/backends'
import { recordSentQueries } from './helpers/sent-queries'
import { m, makeWorld, type Caller, type World } from './helpers/harness'

/**
 * A push shares round trips between statements (pg-db.ts: BEGIN and COMMIT travel with
 * prepared statements; push.ts: the first run of time entries is checked and inserted in the
 * round trip that locks the client, written for the client being where the push expects it).
 * The pool reuses its most recently used connection, so with pushes one at a time every
 * statement is prepared on it after the first push and every later push takes these paths on
 * PostgreSQL; PGlite runs the same statements one by one.
 */
describeBackends('statements sharing a round trip', (backend) => {
  let w: World
  let tech: Caller
  let other: Caller
  let place: { collectiviteId: string; conventionId: string }
  let interventionId: string

  const device = (caller: Caller): Caller => ({
    ...caller,
    clientGroupId: randomUUID(),
    clientId: randomUUID(),
    nextMutationId: 1
  })
  const entriesOf = async (id: string) =>
    (
      await w.db.query<{ id: string; note: string | null; version: number }>(
        'SELECT id, note, version FROM time_entries WHERE intervention_id = $1 ORDER BY started_at',
        [id]
      )
    ).rows
  const counterOf = async (clientId: string) =>
    (
      await w.db.query<{ last: number }>(
        'SELECT last_mutation_id AS last FROM clients WHERE client_id = $1',
        [clientId]
      )
    ).rows[0]?.last
  const at = (k: number) =>
    `2025-05-0${1 + Math.floor(k / 20)}T${String(k % 20).padStart(2, '0')}:00:00Z`
  let slot = 0
  const entry = (id = interventionId, extra: { note?: string } = {}) =>
    m.addEntry(id, at(slot++), 15, extra)

  /**
   * Holds an intervention's row lock in a transaction of its own until released. It needs a
   * second connection: the pool grows to 2 for it, and the new one has no statement prepared,
   * so pushes meanwhile run their statements one by one (the guard is the same SQL).
   */
  const holdIntervention = async (id: string) => {
    let release!: () => void
    let locked!: () => void
    const until = new Promise<void>((done) => (release = done))
    const taken = new Promise<void>((done) => (locked = done))
    const holding = w.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM interventions WHERE id = $1 FOR UPDATE', [id])
      locked()
      await until
    })
    await taken
    return {
      release: async () => {
        release()
        await holding
      }
    }
  }

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb({ poolSize: 2 }))
    tech = await w.user()
    other = await w.user()
    place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    await w.assign(other, place.collectiviteId)
    const create = m.createIntervention(place)
    interventionId = create.args.id
    // Prepares every statement of a push on the one connection.
    const warm = device(tech)
    expect((await w.push(warm, [create, entry(), entry()])).status).toBe(200)
    expect((await w.push(warm, [entry(), entry()])).status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  if (backend.name === 'postgres') {
    it('pushes time entries in three round trips: token check, lock + check + insert, end + commit', async () => {
      const dev = device(tech)
      expect((await w.push(dev, [entry(), entry()])).status).toBe(200)
      const sent = recordSentQueries()
      const res = await w.push(dev, [entry(), entry(), entry()])
      expect(res.json).toEqual({ lastMutationId: 5 })
      expect(sent).toHaveLength(3)
      expect(sent[1]).toMatch(
        /^BEGIN ISOLATION LEVEL READ COMMITTED; EXECUTE \w+\(.*\); EXECUTE \w+\(/s
      )
      expect(sent[2]).toMatch(/^EXECUTE \w+\(.*\); COMMIT$/s)
    })
  }

  it('keeps quotes, backslashes and any character of a note exactly', async () => {
    const notes = [
      "l'onduleur \\ du 2e \\' étage",
      '"); DROP TABLE time_entries; --',
      "E'\\x41' $1 $$ 😀 \t tab",
      '\\\\server\\share'
    ]
    const dev = device(tech)
    const mutations = notes.map((note) => entry(interventionId, { note }))
    expect((await w.push(dev, mutations)).json).toEqual({ lastMutationId: 4 })
    const stored = new Map((await entriesOf(interventionId)).map((e) => [e.id, e.note]))
    for (const [i, note] of notes.entries()) expect(stored.get(mutations[i]!.args.id)).toBe(note)
  })

  it('records a refusal inside the first run and applies the others around it', async () => {
    const dev = device(tech)
    const [a, c] = [entry(), entry()]
    // Its arguments fail validation (ends before it starts): refused before any statement.
    const b = m.addEntry(interventionId, at(slot++), -5)
    expect((await w.push(dev, [a, b, c])).json).toEqual({ lastMutationId: 3 })
    const ids = (await entriesOf(interventionId)).map((e) => e.id)
    expect(ids).toEqual(expect.arrayContaining([a.args.id, c.args.id]))
    expect(ids).not.toContain(b.args.id)
    const { rows } = await w.db.query<{ mutation_id: number; code: string }>(
      'SELECT mutation_id, code FROM rejections WHERE client_id = $1',
      [dev.clientId]
    )
    expect(rows).toEqual([{ mutation_id: 2, code: 'time.endBeforeStart' }])
    expect(await counterOf(dev.clientId)).toBe(3)
  })

  it('applies once a push that begins with entries the server already has', async () => {
    const dev = device(tech)
    const [a, b, c] = [entry(), entry(), entry()]
    expect((await w.push(dev, [a, b], { ids: [1, 2] })).json).toEqual({ lastMutationId: 2 })
    const before = (await entriesOf(interventionId)).length
    // The push expected the client at 0; it is at 2: only mutation 3 is new.
    expect((await w.push(dev, [a, b, c], { ids: [1, 2, 3] })).json).toEqual({ lastMutationId: 3 })
    const after = await entriesOf(interventionId)
    expect(after).toHaveLength(before + 1)
    const ids = after.map((e) => e.id)
    for (const e of [a, b, c]) expect(ids.filter((id) => id === e.args.id)).toHaveLength(1)
    expect(await counterOf(dev.clientId)).toBe(3)
  })

  it('writes nothing from a push that starts past a gap', async () => {
    const dev = device(tech)
    expect((await w.push(dev, [entry(), entry()], { ids: [1, 2] })).json).toEqual({
      lastMutationId: 2
    })
    const before = (await entriesOf(interventionId)).length
    const version = await w.db.query('SELECT value FROM server_version')
    const res = await w.push(dev, [entry(), entry()], { ids: [4, 5] })
    expect(res.json).toEqual({ lastMutationId: 2 })
    expect(await entriesOf(interventionId)).toHaveLength(before)
    expect((await w.db.query('SELECT value FROM server_version')).rows).toEqual(version.rows)
  })

  it("refuses another technician's client id or another group's and writes nothing", async () => {
    const dev = device(tech)
    expect((await w.push(dev, [entry(), entry()])).json).toEqual({ lastMutationId: 2 })
    const before = (await entriesOf(interventionId)).length
    const stolen = { ...device(other), clientId: dev.clientId, nextMutationId: 3 }
    const res = await w.push(stolen, [entry(), entry()])
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ error: { code: 'client.forbidden' } })
    const regrouped = { ...dev, clientGroupId: randomUUID(), nextMutationId: 3 }
    const again = await w.push(regrouped, [entry(), entry()])
    expect(again.status).toBe(403)
    expect(await entriesOf(interventionId)).toHaveLength(before)
    expect(await counterOf(dev.clientId)).toBe(2)
  })

  if (backend.name === 'postgres') {
    it('takes no intervention lock for a push that starts past a gap or is not the caller’s', async () => {
      // A second connection holds the intervention; a push that locked it would wait, and with
      // lock_timeout fail (503) instead of answering.
      const dev = device(tech)
      expect((await w.push(dev, [entry(), entry()])).json).toEqual({ lastMutationId: 2 })
      const { rows } = await w.db.query<{ name: string }>('SELECT current_database() AS name')
      await w.db.exec(`ALTER DATABASE ${rows[0]!.name} SET lock_timeout = '2s'`)
      const held = await holdIntervention(interventionId)
      try {
        const gap = await w.push(dev, [entry(), entry()], { ids: [4, 5] })
        expect(gap).toMatchObject({ status: 200, json: { lastMutationId: 2 } })
        const stolen = { ...device(other), clientId: dev.clientId, nextMutationId: 3 }
        expect((await w.push(stolen, [entry(), entry()])).status).toBe(403)
        const regrouped = { ...dev, clientGroupId: randomUUID(), nextMutationId: 3 }
        expect((await w.push(regrouped, [entry(), entry()])).status).toBe(403)
      } finally {
        await held.release()
        await w.db.exec(`ALTER DATABASE ${rows[0]!.name} RESET lock_timeout`)
      }
      expect(await counterOf(dev.clientId)).toBe(2)
    })
  }

  it('stamps every row of a push with the version it bumped', async () => {
    const dev = device(tech)
    const mutations = [entry(), entry(), entry()]
    expect((await w.push(dev, mutations)).status).toBe(200)
    const { rows } = await w.db.query<{ value: number }>('SELECT value FROM server_version')
    const stamped = (await entriesOf(interventionId)).filter((e) =>
      mutations.some((x) => x.args.id === e.id)
    )
    const version = Number(rows[0]!.value)
    expect(stamped.map((e) => Number(e.version))).toEqual([version, version, version])
    const intervention = await w.db.query<{ version: number }>(
      'SELECT version FROM interventions WHERE id = $1',
      [interventionId]
    )
    expect(Number(intervention.rows[0]!.version)).toBe(version)
  })
})
