import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTechnician } from '../src/admin/commands'
import { describeBackends } from './helpers/backends'
import { makeWorld, type World } from './helpers/harness'

describeBackends('auth', (backend) => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb(), { loginFailuresPerEmail: 3 })
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const pullBody = (groupId = '0190a000-0000-7000-8000-000000000001') => ({
    protocolVersion: 1,
    schemaVersion: 1,
    clientGroupId: groupId,
    cookie: null
  })
  const pullWith = (token: string) => w.request('POST', '/api/v1/sync/pull', pullBody(), token)

  it('signs in with the right password and answers 401 otherwise', async () => {
    const email = 'Camille.Martin@example.test'
    await createTechnician(
      w.db,
      { email, name: 'Camille', password: 'long enough password', role: 'lead' },
      10
    )
    const ok = await w.request('POST', '/api/v1/auth/login', {
      email,
      password: 'long enough password',
      deviceName: 'PC'
    })
    expect(ok.status).toBe(200)
    expect(ok.json).toMatchObject({ technician: { name: 'Camille', role: 'lead' } })
    expect(Object.keys(ok.json).sort()).toEqual([
      'accessToken',
      'accessTokenExpiresAt',
      'deviceId',
      'refreshToken',
      'technician'
    ])
    const wrong = await w.request('POST', '/api/v1/auth/login', {
      email,
      password: 'nope',
      deviceName: 'PC'
    })
    expect(wrong).toMatchObject({ status: 401, json: { error: { code: 'auth.unauthorized' } } })
    const unknown = await w.request('POST', '/api/v1/auth/login', {
      email: 'nobody@example.test',
      password: 'nope',
      deviceName: 'PC'
    })
    expect(unknown.status).toBe(401)
    expect(unknown.json.error.message).toBe(wrong.json.error.message)
  })

  it('answers 429 after repeated failures, even with the right password', async () => {
    const tech = await w.user()
    const email =
      tech.login.technician.id &&
      (
        await w.db.query<{ email: string }>('SELECT email FROM technicians WHERE id = $1', [
          tech.technicianId
        ])
      ).rows[0]!.email
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await w.request('POST', '/api/v1/auth/login', {
            email,
            password: 'wrong',
            deviceName: 'PC'
          })
        ).status
      ).toBe(401)
    }
    const blocked = await w.request('POST', '/api/v1/auth/login', {
      email,
      password: 'correct horse battery',
      deviceName: 'PC'
    })
    expect(blocked.status).toBe(429)
    expect(blocked.json.error.code).toBe('rate.limited')
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
  })

  const refreshWith = (refreshToken: string) =>
    w.request('POST', '/api/v1/auth/refresh', { refreshToken })

  it('rotates refresh tokens; reusing a spent one revokes the whole device session', async () => {
    const tech = await w.user()
    const first = tech.login
    const rotated = await refreshWith(first.refreshToken)
    expect(rotated.status).toBe(200)
    expect(rotated.json.deviceId).toBe(first.deviceId)
    expect(rotated.json.refreshToken).not.toBe(first.refreshToken)
    expect((await pullWith(rotated.json.accessToken)).status).toBe(200)
    expect((await pullWith(first.accessToken)).status).toBe(401)
    const again = await refreshWith(rotated.json.refreshToken)
    expect(again.status).toBe(200)
    // The first token is two rotations old: a copy, not a retry.
    const reuse = await refreshWith(first.refreshToken)
    expect(reuse.status).toBe(401)
    // The thief's replay also killed the legitimate holder's newer tokens.
    expect((await pullWith(again.json.accessToken)).status).toBe(401)
    expect((await refreshWith(again.json.refreshToken)).status).toBe(401)
  })

  it('answers a retried refresh whose answer was lost, within the grace delay only', async () => {
    const tech = await w.user()
    const lost = await refreshWith(tech.login.refreshToken)
    expect(lost.status).toBe(200)
    // The answer never reached the client: it presents the token it still holds.
    const retry = await refreshWith(tech.login.refreshToken)
    expect(retry.status).toBe(200)
    expect(retry.json.deviceId).toBe(tech.login.deviceId)
    expect((await pullWith(retry.json.accessToken)).status).toBe(200)
    expect((await pullWith(lost.json.accessToken)).status).toBe(401)
    expect((await refreshWith(retry.json.refreshToken)).status).toBe(200)
    // Once the retried pair is in use, the first token is old: presenting it is reuse.
    expect((await refreshWith(tech.login.refreshToken)).status).toBe(401)
    const { rows } = await w.db.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM devices WHERE id = $1',
      [tech.login.deviceId]
    )
    expect(rows[0]?.revoked_reason).toBe('refresh token reuse')
  })

  it('treats the lost pair turning up after a retry as reuse, and any reuse once the grace is off', async () => {
    const tech = await w.user()
    const lost = await refreshWith(tech.login.refreshToken)
    expect((await refreshWith(tech.login.refreshToken)).status).toBe(200)
    // Both the retrier and the holder of the "lost" pair exist: one of them is a copy.
    expect((await refreshWith(lost.json.refreshToken)).status).toBe(401)
    const strict = await makeWorld(w.db, { refreshReuseGraceMs: 0 })
    try {
      const other = await strict.user()
      const rotated = await strict.request('POST', '/api/v1/auth/refresh', {
        refreshToken: other.login.refreshToken
      })
      expect(rotated.status).toBe(200)
      const replay = await strict.request('POST', '/api/v1/auth/refresh', {
        refreshToken: other.login.refreshToken
      })
      expect(replay.status).toBe(401)
      expect((await pullWith(rotated.json.accessToken)).status).toBe(401)
    } finally {
      await strict.close()
    }
  })

  it('logout revokes the device at once; other devices keep working', async () => {
    const tech = await w.user()
    const email = (
      await w.db.query<{ email: string }>('SELECT email FROM technicians WHERE id = $1', [
        tech.technicianId
      ])
    ).rows[0]!.email
    const second = await w.request('POST', '/api/v1/auth/login', {
      email,
      password: 'correct horse battery',
      deviceName: 'Tablet'
    })
    expect((await w.request('POST', '/api/v1/auth/logout', undefined, tech.token)).status).toBe(200)
    expect((await pullWith(tech.token)).status).toBe(401)
    expect(
      (await w.request('POST', '/api/v1/auth/refresh', { refreshToken: tech.login.refreshToken }))
        .status
    ).toBe(401)
    expect((await pullWith(second.json.accessToken)).status).toBe(200)
  })

  it('answers 401 on every protected endpoint without a valid bearer token', async () => {
    const hash = 'a'.repeat(64)
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/api/v1/sync/push', {}],
      ['POST', '/api/v1/sync/pull', pullBody()],
      ['GET', '/api/v1/sync/events', undefined],
      ['POST', '/api/v1/auth/logout', undefined],
      ['GET', `/api/v1/blobs/${hash}`, undefined],
      ['HEAD', `/api/v1/blobs/${hash}`, undefined]
    ]
    for (const [method, url, body] of cases) {
      for (const token of [undefined, 'cat_forged', 'x'.repeat(500)]) {
        const res = await w.request(method, url, body, token)
        expect(res.status, `${method} ${url} ${token}`).toBe(401)
      }
    }
    const health = await w.request('GET', '/api/v1/health')
    expect(health).toMatchObject({ status: 200, json: { ok: true } })
  })

  it('counts parallel guesses before checking them: the right password among them is refused', async () => {
    const limited = await makeWorld(w.db, { loginFailuresPerEmail: 3 })
    try {
      const tech = await limited.user()
      const { rows } = await w.db.query<{ email: string }>(
        'SELECT email FROM technicians WHERE id = $1',
        [tech.technicianId]
      )
      const email = rows[0]!.email
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          limited.request('POST', '/api/v1/auth/login', {
            email,
            password: i === 30 ? 'correct horse battery' : `guess ${i}`,
            deviceName: 'PC'
          })
        )
      )
      const statuses = answers.map((a) => a.status)
      expect(statuses.filter((s) => s === 401)).toHaveLength(3)
      expect(statuses.filter((s) => s === 429)).toHaveLength(57)
      expect(statuses[30]).toBe(429)
    } finally {
      await limited.close()
    }
  })

  it('refuses a NUL character in sign-in fields with 400, not 500', async () => {
    for (const body of [
      { email: 'a@example.test', password: 'x', deviceName: 'PC\u0000' },
      { email: 'a\u0000@example.test', password: 'x', deviceName: 'PC' }
    ]) {
      const res = await w.request('POST', '/api/v1/auth/login', body)
      expect(res.status, JSON.stringify(res.json)).toBe(400)
      expect(res.json.error.code).toBe('validation.failed')
    }
    const tech = await w.user()
    const { rows } = await w.db.query<{ email: string }>(
      'SELECT email FROM technicians WHERE id = $1',
      [tech.technicianId]
    )
    const res = await w.request('POST', '/api/v1/auth/login', {
      email: rows[0]!.email,
      password: 'correct horse battery',
      deviceName: 'Laptop \u0000 of Jo'
    })
    expect(res.status).toBe(400)
  })

  it('rate-limits each device with 429', async () => {
    const limited = await makeWorld(w.db, { deviceBurst: 3, deviceRatePerSecond: 0.01 })
    try {
      const tech = await limited.user()
      const statuses: number[] = []
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await limited.request('POST', '/api/v1/sync/pull', pullBody(), tech.token)).status
        )
      expect(statuses).toEqual([200, 200, 200, 429, 429])
    } finally {
      await limited.close()
    }
  })
})
