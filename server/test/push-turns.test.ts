import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Db } from '../src/db/db'
import { configFromEnv, DEFAULT_CONFIG } from '../src/config'
import { PushTurns, pushTurns } from '../src/sync/push-turns'
import { describeBackends } from './helpers/backends'
import { applyOps, m, makeWorld, type World } from './helpers/harness'

/** A promise with its resolve at hand. */
function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

/** The same database, with `around` run around each of its transactions. */
function aroundTransactions(db: Db, around: <T>(transaction: () => Promise<T>) => Promise<T>): Db {
  return {
    kind: db.kind,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    listen: db.listen.bind(db),
    close: db.close.bind(db),
    transaction: (fn, options) => around(() => db.transaction(fn, options))
  }
}

describe('PushTurns', () => {
  it('lets `limit` works run at once, the others in arrival order, and survives a failure', async () => {
    const turns = new PushTurns(2)
    const gates = Array.from({ length: 5 }, deferred)
    const started: number[] = []
    let running = 0
    let most = 0
    const results = gates.map((gate, i) =>
      turns.run(async () => {
        started.push(i)
        most = Math.max(most, ++running)
        await gate.promise
        running--
        if (i === 1) throw new Error('push 1 failed')
        return i
      })
    )
    await tick()
    expect(started).toEqual([0, 1])
    gates[1]!.resolve()
    await expect(results[1]).rejects.toThrow('push 1 failed')
    await tick()
    expect(started).toEqual([0, 1, 2])
    for (const gate of gates) gate.resolve()
    expect(await Promise.all([results[0], results[2], results[3], results[4]])).toEqual([
      0, 2, 3, 4
    ])
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect(most).toBe(2)
    // Every turn came back: two more run at once straight away.
    const again = [deferred(), deferred()]
    let now = 0
    const more = again.map((gate) =>
      turns.run(async () => {
        now++
        await gate.promise
      })
    )
    await tick()
    expect(now).toBe(2)
    for (const gate of again) gate.resolve()
    await Promise.all(more)
  })

  it('turns a push away at once, 503 and retry in a second, when `maxWaiting` already wait', async () => {
    const turns = new PushTurns(1, 2)
    const gate = deferred()
    const ran: number[] = []
    const queued = Array.from({ length: 3 }, (_, i) =>
      turns.run(async () => {
        ran.push(i)
        await gate.promise
      })
    )
    await tick()
    // One running, two waiting: the next is refused without waiting.
    await expect(turns.run(async () => ran.push(9))).rejects.toMatchObject({
      status: 503,
      code: 'server.busy',
      headers: { 'retry-after': '1' }
    })
    gate.resolve()
    await Promise.all(queued)
    expect(ran).toEqual([0, 1, 2])
    // Room again once the queue has drained.
    await turns.run(async () => ran.push(3))
    expect(ran).toEqual([0, 1, 2, 3])
  })

  it('does not limit with 0', async () => {
    const turns = new PushTurns(0)
    const gate = deferred()
    let running = 0
    const all = Array.from({ length: 6 }, () =>
      turns.run(async () => {
        running++
        await gate.promise
      })
    )
    await tick()
    expect(running).toBe(6)
    gate.resolve()
    await Promise.all(all)
  })
})

describe('pushesInTransaction', () => {
  // Each setting: its variable, its default, a value it takes, values it refuses, what 0 means.
  it.each([
    {
      key: 'pushesInTransaction',
      name: 'CARNET_PUSHES_IN_TRANSACTION',
      byDefault: 2,
      set: 6,
      bad: ['two', '-1', '1.5', ' 3'],
      zero: 'no limit'
    },
    {
      key: 'pushesWaiting',
      name: 'CARNET_PUSHES_WAITING',
      byDefault: 256,
      set: 40,
      bad: ['many', '-1', '2.5', '12345'],
      zero: 'no cap'
    }
  ] as const)('$key is $byDefault by default, set by $name, a whole number', (s) => {
    expect(configFromEnv({})[s.key]).toBe(s.byDefault)
    expect(configFromEnv({ [s.name]: '0' })[s.key]).toBe(0)
    expect(configFromEnv({ [s.name]: String(s.set) })[s.key]).toBe(s.set)
    for (const bad of s.bad)
      expect(() => configFromEnv({ [s.name]: bad }), bad).toThrow(
        `${s.name} must be a whole number (0 for ${s.zero}), not "${bad}".`
      )
  })

  it('gives each server instance (its config) its own turns', () => {
    const one = { ...DEFAULT_CONFIG }
    const other = { ...DEFAULT_CONFIG, pushesInTransaction: 0 }
    expect(pushTurns(one)).toBe(pushTurns(one))
    expect(pushTurns(one)).not.toBe(pushTurns(other))
  })
})

describeBackends('pushes wait for a turn before their transaction', (backend) => {
  let w: World
  let open = 0
  let most = 0

  beforeAll(async () => {
    const db = await backend.newDb()
    // The same database, counting the transactions open at once.
    const counting = aroundTransactions(db, async (transaction) => {
      most = Math.max(most, ++open)
      try {
        return await transaction()
      } finally {
        open--
      }
    })
    w = await makeWorld(counting, { pushesInTransaction: 2 })
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  it('runs at most two pushes in a transaction at once, and applies them all', async () => {
    const place = await w.municipality('Commune à tour de rôle')
    const lead = await w.user('lead', 'Chef')
    const create = m.createIntervention(place)
    expect((await w.push(lead, [create])).status).toBe(200)
    const laptops = await Promise.all(
      Array.from({ length: 8 }, (_, i) => w.user('technician', `Technicien ${i}`))
    )
    for (const laptop of laptops) await w.assign(laptop, place.collectiviteId)
    most = 0
    const entries = laptops.map((_, i) =>
      m.addEntry(create.args.id, `2025-03-0${1 + (i % 8)}T08:00:00Z`, 15)
    )
    const answers = await Promise.all(laptops.map((laptop, i) => w.push(laptop, [entries[i]!])))
    expect(answers.map((a) => a.status)).toEqual(laptops.map(() => 200))
    // PGlite runs one statement at a time anyway; PostgreSQL would take all eight at once.
    if (backend.name === 'postgres') expect(most).toBe(2)
    else expect(most).toBeLessThanOrEqual(2)
    const rows = applyOps((await w.pullAll(lead)).ops)
    expect(entries.every((e) => rows.get('timeEntries')?.has(e.args.id))).toBe(true)
    expect(rows.get('interventions')?.get(create.args.id)).toMatchObject({ units: 8 })
  })

  it('answers 503 with Retry-After past the waiting pushes, and the retry is applied', async () => {
    const db = await backend.newDb()
    // Transactions wait at this gate while it is shut: the first push keeps its turn.
    let gate: ReturnType<typeof deferred> | null = null
    let opened = 0
    const gated = aroundTransactions(db, async (transaction) => {
      opened++
      if (gate) await gate.promise
      return transaction()
    })
    const busy = await makeWorld(gated, { pushesInTransaction: 1, pushesWaiting: 1 })
    try {
      const place = await busy.municipality('Commune débordée')
      const laptops = await Promise.all([0, 1, 2].map((i) => busy.user('technician', `T${i}`)))
      for (const laptop of laptops) await busy.assign(laptop, place.collectiviteId)
      const lead = await busy.user('lead', 'Chef')
      const create = m.createIntervention(place)
      expect((await busy.push(lead, [create])).status).toBe(200)
      const entry = (i: number) => m.addEntry(create.args.id, `2025-04-0${i + 1}T08:00:00Z`, 15)
      opened = 0
      gate = deferred()
      const turns = pushTurns(busy.config)
      const first = busy.push(laptops[0]!, [entry(0)])
      await vi.waitFor(() => expect(opened).toBe(1))
      const second = busy.push(laptops[1]!, [entry(1)])
      await vi.waitFor(() => expect(turns.queued).toBe(1))
      const third = await busy.push(laptops[2]!, [entry(2)])
      expect(third.status).toBe(503)
      expect(third.json).toMatchObject({ error: { code: 'server.busy' } })
      expect(third.headers['retry-after']).toBe('1')
      gate.resolve()
      gate = null
      expect((await first).status).toBe(200)
      expect((await second).status).toBe(200)
      // The laptop sends the same mutation again: applied once.
      expect((await busy.push(laptops[2]!, [entry(2)])).json).toEqual({ lastMutationId: 1 })
    } finally {
      await busy.close()
    }
  })
})
