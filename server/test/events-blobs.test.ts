import { createHash, randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { POKE_CHANNEL, POKE_MAX_COLLECTIVITES } from '../src/sync/pokes'
import { describeBackends } from './helpers/backends'
import { m, makeWorld, type Caller, type World } from './helpers/harness'

/** An open SSE stream and a way to wait for a text to appear in it. */
interface Stream {
  status: number
  waitFor(text: string): Promise<void>
  ended: Promise<void>
  close(): void
}

function openEvents(base: string, token: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/api/v1/sync/events`,
      { headers: { authorization: `Bearer ${token}` } },
      (res: IncomingMessage) => {
        let buffer = ''
        const waiters: Array<{ text: string; resolve: () => void }> = []
        const ended = new Promise<void>((done) => {
          res.on('end', done)
          res.on('close', done)
        })
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          for (const w of [...waiters]) {
            if (buffer.includes(w.text)) {
              waiters.splice(waiters.indexOf(w), 1)
              w.resolve()
            }
          }
        })
        resolve({
          status: res.statusCode ?? 0,
          waitFor: (text) =>
            buffer.includes(text)
              ? Promise.resolve()
              : new Promise((done) => waiters.push({ text, resolve: done })),
          ended,
          close: () => req.destroy()
        })
      }
    )
    req.on('error', reject)
    req.end()
  })
}

describeBackends('events and blobs', (backend) => {
  let w: World
  let base: string
  let tech: Caller
  beforeAll(async () => {
    w = await makeWorld(await backend.newDb(), {
      blobLimitBytes: 128 * 1024,
      bodyLimitBytes: 64 * 1024
    })
    await w.app.listen({ host: '127.0.0.1', port: 0 })
    const address = w.app.server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    tech = await w.user()
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  it("pokes a technician's event stream when a colleague pushes in their municipality", async () => {
    const colleague = await w.user('technician', 'Collègue')
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    await w.assign(colleague, place.collectiviteId)
    const stream = await openEvents(base, tech.token)
    try {
      expect(stream.status).toBe(200)
      await stream.waitFor(': connected')
      await w.push(colleague, [m.createIntervention(place)])
      await stream.waitFor('event: poke')
    } finally {
      stream.close()
    }
  })

  it('pokes with the municipalities written, the writer for a refusal, everyone past the limit', async () => {
    const payloads: string[] = []
    const unlisten = await w.db.listen(POKE_CHANNEL, (text) => payloads.push(text))
    // Admin commands poke too (an assignment pokes its technician): let theirs arrive, drop them.
    const settle = async (): Promise<void> => {
      let seen = -1
      while (seen !== payloads.length) {
        seen = payloads.length
        await new Promise((r) => setTimeout(r, 60))
      }
      payloads.length = 0
    }
    // The next poke naming `writer`.
    const next = async (writer: Caller): Promise<unknown> => {
      for (let i = 0; i < 300; i++) {
        const text = payloads.shift()
        if (text === undefined) await new Promise((r) => setTimeout(r, 10))
        else if (
          (JSON.parse(text) as { technicianId: unknown }).technicianId === writer.technicianId
        )
          return JSON.parse(text)
      }
      return null
    }
    try {
      const writer = await w.user()
      const place = await w.municipality()
      await w.assign(writer, place.collectiviteId)
      await settle()
      await w.push(writer, [m.createIntervention(place)])
      expect(await next(writer)).toEqual({
        collectivites: [place.collectiviteId],
        technicianId: writer.technicianId
      })
      // Refused outside the writer's scope: only the writer learns of it.
      const elsewhere = await w.municipality()
      await settle()
      await w.push(writer, [m.createIntervention(elsewhere)])
      expect(await next(writer)).toEqual({ collectivites: [], technicianId: writer.technicianId })
      const lead = await w.user('lead')
      const places = []
      for (let i = 0; i <= POKE_MAX_COLLECTIVITES; i++) places.push(await w.municipality())
      await settle()
      await w.push(
        lead,
        places.map((p) => m.createIntervention(p))
      )
      expect(await next(lead)).toEqual({ collectivites: null, technicianId: lead.technicianId })
    } finally {
      await unlisten()
    }
  })

  it('ends the event stream when the device logs out', async () => {
    const other = await w.user()
    const stream = await openEvents(base, other.token)
    await stream.waitFor(': connected')
    await w.request('POST', '/api/v1/auth/logout', undefined, other.token)
    await stream.ended
  })

  /** Listens on a free port; returns the second server and its base URL. */
  async function secondServer(config: Parameters<typeof makeWorld>[1] = {}) {
    const second = await makeWorld(w.db, config)
    await second.app.listen({ host: '127.0.0.1', port: 0 })
    const address = second.app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    return { second, url: `http://127.0.0.1:${port}` }
  }

  const within = (ms: number, what: Promise<void>) =>
    Promise.race([
      what.then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('still open'), ms))
    ])

  it('a logout handled by another server process ends the stream held by this one', async () => {
    const other = await w.user()
    const { second, url } = await secondServer()
    try {
      const stream = await openEvents(url, other.token)
      await stream.waitFor(': connected')
      expect((await w.request('POST', '/api/v1/auth/logout', undefined, other.token)).status).toBe(
        200
      )
      expect(await within(5000, stream.ended)).toBe('ended')
    } finally {
      await second.close()
    }
  })

  it('ends the event stream when the access token that opened it expires', async () => {
    const { second, url } = await secondServer({ accessTokenTtlMs: 1500 })
    try {
      const shortLived = await second.user()
      const stream = await openEvents(url, shortLived.token)
      await stream.waitFor(': connected')
      expect(await within(6000, stream.ended)).toBe('ended')
    } finally {
      await second.close()
    }
  })

  it('closing the server ends open event streams instead of waiting for them', async () => {
    const second = await makeWorld(w.db)
    await second.app.listen({ host: '127.0.0.1', port: 0 })
    const address = second.app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const stream = await openEvents(`http://127.0.0.1:${port}`, tech.token)
    await stream.waitFor(': connected')
    await second.close()
    await stream.ended
  })

  it('stores blobs by verified hash, idempotently, within the size limit', async () => {
    const bytes = randomBytes(5000)
    const hash = createHash('sha256').update(bytes).digest('hex')
    const put = (body: Buffer, name = hash) =>
      w.app.inject({
        method: 'PUT',
        url: `/api/v1/blobs/${name}`,
        payload: body,
        headers: {
          'content-type': 'application/octet-stream',
          authorization: `Bearer ${tech.token}`
        }
      })
    expect((await w.request('HEAD', `/api/v1/blobs/${hash}`, undefined, tech.token)).status).toBe(
      404
    )
    const wrong = await put(randomBytes(5000))
    expect(wrong.statusCode).toBe(400)
    expect(JSON.parse(wrong.body).error.code).toBe('blob.hashMismatch')
    expect((await put(bytes)).statusCode).toBe(201)
    expect((await put(bytes)).statusCode).toBe(200)
    const head = await w.request('HEAD', `/api/v1/blobs/${hash}`, undefined, tech.token)
    expect(head.status).toBe(200)
    expect(Number(head.headers['content-length'])).toBe(5000)
    const got = await w.app.inject({
      method: 'GET',
      url: `/api/v1/blobs/${hash}`,
      headers: { authorization: `Bearer ${tech.token}` }
    })
    expect(Buffer.compare(got.rawPayload, bytes)).toBe(0)
    const big = randomBytes(129 * 1024)
    expect((await put(big, createHash('sha256').update(big).digest('hex'))).statusCode).toBe(413)
    expect((await put(bytes, 'ABC')).statusCode).toBe(400)
    const { rows } = await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs')
    expect(rows[0]?.n).toBe(1)
  })

  it('lets only the uploading devices and leads read a blob until attachments have metadata', async () => {
    const bytes = randomBytes(300)
    const hash = createHash('sha256').update(bytes).digest('hex')
    const put = (token: string) =>
      w.app.inject({
        method: 'PUT',
        url: `/api/v1/blobs/${hash}`,
        payload: bytes,
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` }
      })
    const read = async (token: string) => [
      (await w.request('HEAD', `/api/v1/blobs/${hash}`, undefined, token)).status,
      (await w.request('GET', `/api/v1/blobs/${hash}`, undefined, token)).status
    ]
    const uploader = await w.user()
    const stranger = await w.user()
    const lead = await w.user('lead')
    expect((await put(uploader.token)).statusCode).toBe(201)
    expect(await read(uploader.token)).toEqual([200, 200])
    expect(await read(lead.token)).toEqual([200, 200])
    expect(await read(stranger.token)).toEqual([404, 404])
    // Uploading the same bytes proves holding them: the blob becomes readable for that device.
    expect((await put(stranger.token)).statusCode).toBe(200)
    expect(await read(stranger.token)).toEqual([200, 200])
  })

  it('takes a body above the JSON limit on the blob upload only, and only from a signed-in caller', async () => {
    // Between the two limits: a blob may be that large, nothing else may.
    const bytes = randomBytes(100 * 1024)
    const hash = createHash('sha256').update(bytes).digest('hex')
    const send = (method: 'POST' | 'PUT', url: string, body: Buffer, token?: string) =>
      w.app.inject({
        method,
        url,
        payload: body,
        headers: {
          'content-type': 'application/octet-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {})
        }
      })
    for (const url of ['/api/v1/auth/login', '/api/v1/sync/push', '/api/v1/sync/pull']) {
      const res = await send('POST', url, bytes, tech.token)
      expect(res.statusCode, url).toBe(413)
      expect(JSON.parse(res.body).error.code).toBe('body.tooLarge')
    }
    // The caller is checked before the body is read: even one over the blob limit gets 401.
    const anonymous = await send('PUT', `/api/v1/blobs/${hash}`, randomBytes(200 * 1024))
    expect(anonymous.statusCode).toBe(401)
    const badName = await send('PUT', '/api/v1/blobs/ABC', bytes, tech.token)
    expect(JSON.parse(badName.body).error.code).toBe('blob.invalidHash')
    expect((await send('PUT', `/api/v1/blobs/${hash}`, bytes, tech.token)).statusCode).toBe(201)
    const { rows } = await w.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1',
      [hash]
    )
    expect(rows[0]?.n).toBe(1)
  })

  it('answers 413 to a JSON body over the limit', async () => {
    const res = await w.request(
      'POST',
      '/api/v1/sync/pull',
      { cookie: 'x'.repeat(70 * 1024) },
      tech.token
    )
    expect(res).toMatchObject({ status: 413, json: { error: { code: 'body.tooLarge' } } })
  })

  it('holds the push answer after the commit when the test hook is enabled', async () => {
    const place = await w.municipality()
    await w.assign(tech, place.collectiviteId)
    const hooked = await makeWorld(w.db, { testHooks: true })
    try {
      const create = m.createIntervention(place)
      const pending = hooked.request(
        'POST',
        '/api/v1/sync/push',
        {
          protocolVersion: 1,
          schemaVersion: 1,
          clientGroupId: tech.clientGroupId,
          clientId: tech.clientId,
          mutations: [{ id: tech.nextMutationId, ...create, clientTime: new Date().toISOString() }]
        },
        tech.token,
        { 'x-carnet-delay-after-commit-ms': '400' }
      )
      // Committed while the answer is still held back.
      for (;;) {
        const { rows } = await w.db.query('SELECT 1 FROM interventions WHERE id = $1', [
          create.args.id
        ])
        if (rows.length > 0) break
        await new Promise((resolve) => setImmediate(resolve))
      }
      let answered = false
      void pending.then(() => (answered = true))
      expect(answered).toBe(false)
      expect((await pending).status).toBe(200)
    } finally {
      await hooked.close()
    }
  })
})
