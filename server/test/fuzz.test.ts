import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBackends } from './helpers/backends'
import { m, makeWorld, type Caller, type World } from './helpers/harness'
import { seededRandom } from '../../src/shared/seeded-random'

const KEYS = [
  'id',
  'email',
  'password',
  'deviceName',
  'refreshToken',
  'protocolVersion',
  'schemaVersion',
  'clientGroupId',
  'clientId',
  'mutations',
  'cookie',
  'name',
  'args',
  'clientTime',
  '__proto__',
  'constructor',
  '',
  '\u0000',
  'title\u0000'
]
const STRINGS = [
  '',
  ' ',
  'a',
  'é'.repeat(300),
  '\u0000',
  'Imprimante\u0000HS',
  '\ud800',
  '0190a000-0000-7000-8000-000000000001',
  'x@y.z',
  "'; DROP TABLE technicians; --",
  '2025-02-30T00:00:00Z',
  '9'.repeat(400),
  'timeEntry.add.v1'
]
const NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 2, -1e308, 1e308, 201]

function randomValue(r: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const kind = Math.floor(r() * (depth > 3 ? 4 : 6))
  if (kind === 0) return null
  if (kind === 1) return r() < 0.5
  if (kind === 2) return pick(NUMBERS)
  if (kind === 3) return pick(STRINGS)
  if (kind === 4)
    return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1))
  return Object.fromEntries(
    Array.from({ length: Math.floor(r() * 5) }, () => [pick(KEYS), randomValue(r, depth + 1)])
  )
}

const MALFORMED = [
  '{',
  '{"a":}',
  '[1,2',
  'nul',
  '"\\u00"',
  '{"a":1}}',
  '\u0000',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '['.repeat(100_000),
  '1e999999',
  '{"email":"a@b.c","password":"x","deviceName":"y","email":"dup"}'
]

describeBackends('validation fuzz', (backend) => {
  let w: World
  let tech: Caller
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb(), {
      bodyLimitBytes: 256 * 1024,
      blobLimitBytes: 64 * 1024
    })
    tech = await w.user()
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    const create = m.createIntervention(place)
    await w.push(tech, [create, m.addEntry(create.args.id, '2025-03-03T08:00:00Z', 20)])
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const counts = async () =>
    (
      await w.db.query(
        `SELECT (SELECT count(*) FROM technicians)::int AS technicians, (SELECT count(*) FROM devices)::int AS devices,
              (SELECT count(*) FROM interventions)::int AS interventions, (SELECT count(*) FROM time_entries)::int AS entries,
              (SELECT count(*) FROM clients)::int AS clients, (SELECT count(*) FROM rejections)::int AS rejections,
              (SELECT count(*) FROM blobs)::int AS blobs, (SELECT value FROM server_version)::int AS version`
      )
    ).rows[0]

  const ENDPOINTS: Array<[string, string, boolean]> = [
    ['POST', '/api/v1/auth/login', false],
    ['POST', '/api/v1/auth/refresh', false],
    ['POST', '/api/v1/sync/push', true],
    ['POST', '/api/v1/sync/pull', true],
    // Unauthenticated here; with a valid token in the test below.
    ['POST', '/api/v1/auth/logout', false],
    ['GET', '/api/v1/sync/events', false],
    ['PUT', `/api/v1/blobs/${'0'.repeat(64)}`, true],
    ['PUT', '/api/v1/blobs/not-a-hash', true]
  ]

  it('random and malformed bodies on every endpoint get a 4xx, never a 500, and write nothing', async () => {
    const before = await counts()
    const r = seededRandom(20250601)
    for (const [method, url, authed] of ENDPOINTS) {
      const bodies: string[] = [
        ...MALFORMED,
        ...Array.from({ length: 60 }, () => JSON.stringify(randomValue(r)) ?? 'null'),
        JSON.stringify({
          protocolVersion: 1,
          schemaVersion: 1,
          clientGroupId: tech.clientGroupId,
          clientId: tech.clientId,
          mutations: Array(201).fill({
            id: 1,
            name: 'x',
            args: {},
            clientTime: '2025-01-01T00:00:00Z'
          })
        }),
        JSON.stringify({ big: 'x'.repeat(300 * 1024) })
      ]
      for (const body of bodies) {
        const res = await w.request(method, url, body, authed ? tech.token : undefined)
        expect(
          res.status,
          `${method} ${url} ${body.slice(0, 80)} → ${JSON.stringify(res.json)}`
        ).toBeGreaterThanOrEqual(400)
        expect(res.status, `${method} ${url} ${body.slice(0, 80)}`).toBeLessThan(500)
        if (typeof res.json === 'object' && res.json) {
          expect(typeof res.json.error?.code).toBe('string')
          expect(typeof res.json.error?.message).toBe('string')
        }
      }
    }
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream'
    ]) {
      const res = await w.app.inject({
        method: 'POST',
        url: '/api/v1/sync/push',
        payload: 'a=1',
        headers: { 'content-type': type, authorization: `Bearer ${tech.token}` }
      })
      expect(res.statusCode).toBeGreaterThanOrEqual(400)
      expect(res.statusCode).toBeLessThan(500)
    }
    expect(await counts()).toEqual(before)
  }, 120_000)

  it('logout and events refuse every body with a valid token too, and the token survives', async () => {
    const r = seededRandom(424242)
    const before = await counts()
    for (const [method, url] of [
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/sync/events']
    ] as const) {
      const bodies = [
        ...MALFORMED,
        ...Array.from({ length: 60 }, () => JSON.stringify(randomValue(r)) ?? 'null'),
        JSON.stringify({ deviceName: '\u0000' })
      ]
      for (const body of bodies) {
        // An empty object is a real logout (what the app sends).
        if (method === 'POST' && body === '{}') continue
        const res = await w.request(method, url, body, tech.token)
        const what = `${method} ${url} ${body.slice(0, 80)} → ${JSON.stringify(res.json)}`
        expect(res.status, what).toBeGreaterThanOrEqual(400)
        expect(res.status, what).toBeLessThan(500)
        expect(res.status, what).not.toBe(401)
      }
    }
    expect(await counts()).toEqual(before)
    const pull = await w.request(
      'POST',
      '/api/v1/sync/pull',
      { protocolVersion: 1, schemaVersion: 1, clientGroupId: tech.clientGroupId, cookie: null },
      tech.token
    )
    expect(pull.status).toBe(200)
  }, 120_000)

  it('NUL characters in a push are refused or rejected, never a 500 or a lost batch', async () => {
    const place = (
      await w.db.query<{ collectivite_id: string; convention_id: string; id: string }>(
        'SELECT collectivite_id, convention_id, id FROM interventions LIMIT 1'
      )
    ).rows[0]!
    const where = { collectiviteId: place.collectivite_id, conventionId: place.convention_id }
    const named = await w.push(tech, [{ name: 'timeEntry.add.v1\u0000', args: {} }])
    expect(named.status).toBe(400)
    const first = m.createIntervention(where)
    const last = m.createIntervention(where)
    const start = tech.nextMutationId
    const res = await w.push(tech, [
      first,
      m.createIntervention(where, { title: 'Imprimante\u0000HS' }),
      m.update(place.id, 0, { notes: '\u0000' }),
      m.void(place.id, 'Doublon\u0000'),
      { name: 'timeEntry.void.v1', args: { id: place.id, reason: 'Doublon', '\u0000x': 1 } },
      last
    ])
    expect(res).toMatchObject({ status: 200, json: { lastMutationId: start + 5 } })
    const { rows } = await w.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM interventions WHERE id = ANY($1::uuid[])',
      [[first.args.id, last.args.id]]
    )
    expect(rows[0]?.n).toBe(2)
    const { rows: rejected } = await w.db.query<{ code: string; reason: string }>(
      `SELECT code, reason FROM rejections WHERE client_id = $1 AND mutation_id > $2
        ORDER BY mutation_id`,
      [tech.clientId, start]
    )
    expect(rejected.map((x) => x.code)).toEqual([
      'validation.failed',
      'validation.failed',
      'validation.failed',
      'validation.failed'
    ])
  })

  it('mutated mutation arguments never cause a 500', async () => {
    const r = seededRandom(7)
    const place = (
      await w.db.query<{ collectivite_id: string; convention_id: string; id: string }>(
        'SELECT collectivite_id, convention_id, id FROM interventions LIMIT 1'
      )
    ).rows[0]!
    const templates = [
      m.createIntervention({
        collectiviteId: place.collectivite_id,
        conventionId: place.convention_id
      }),
      m.addEntry(place.id, '2025-03-03T10:00:00Z', 20),
      m.update(place.id, 0, { title: 'x' }),
      m.setStatus(place.id, 'inProgress'),
      m.void(place.id)
    ]
    for (let i = 0; i < 150; i++) {
      const template = templates[i % templates.length]!
      const args = { ...(template.args as Record<string, unknown>) }
      const keys = Object.keys(args)
      const key =
        r() < 0.2 ? KEYS[Math.floor(r() * KEYS.length)]! : keys[Math.floor(r() * keys.length)]!
      args[key] = randomValue(r)
      const res = await w.push(tech, [{ name: template.name, args }])
      // 200 with a rejection, or 400 for JSON the parser refuses outright (__proto__ keys).
      expect([200, 400], JSON.stringify(args).slice(0, 200)).toContain(res.status)
    }
  }, 120_000)
})
