import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { developmentSecretBox } from '../services/secret-box'
import { request } from 'node:http'
import { connect as connectTcp, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Platform } from '../services/platform'
import { createDispatch } from '../ipc/dispatch'
import { createHandlers } from '../ipc/handlers'
import { createFileLogger, type Logger } from '../services/logger'
import { startBrowserHost, type BrowserHost } from './server'

/*
 * The development browser host, started for real on an ephemeral loopback port against a tiny
 * renderer folder, and spoken to with a raw HTTP client and the `ws` client.
 */

const TOKEN = 'test-token-0123456789abcdef'
const SECRET = 'SECRET-OUTSIDE-THE-RENDERER-FOLDER'
const INDEX = `<!doctype html>
<html>
  <head>
    <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'" />
    <title>Carnet</title>
    <script type="module" src="/assets/app.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`

let dir: string
let logger: Logger
let host: BrowserHost | undefined
const clients: WebSocket[] = []

async function start(): Promise<BrowserHost> {
  const platform: Platform = {
    host: 'browser',
    appName: 'Carnet',
    appVersion: '0.0.0-test',
    platform: process.platform,
    dataDir: dir,
    openExternal: () => Promise.resolve(false),
    secrets: developmentSecretBox,
    emit: () => undefined
  }
  host = await startBrowserHost({
    rendererDir: join(dir, 'renderer'),
    dispatch: createDispatch(createHandlers(platform, logger), logger),
    logger,
    port: 0,
    token: TOKEN
  })
  return host
}

/** A raw GET: the path goes on the wire exactly as written (no client-side normalisation). */
function get(
  path: string,
  method = 'GET'
): Promise<{ status: number; type: string; body: string }> {
  const { port } = new URL(host?.origin ?? '')
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8')
        })
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * A request written byte for byte on a raw TCP socket (http.request and fetch both reject or
 * normalise targets such as `//[`); resolves with everything the host sent before closing.
 */
function raw(lines: string[]): Promise<string> {
  const { port } = new URL(host?.origin ?? '')
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  })
}

type Outcome = { opened: true; ws: WebSocket } | { opened: false; status?: number; error?: string }

function connect(query: string, origin: string | undefined, path = '/carnet-ws'): Promise<Outcome> {
  const url = `${(host?.origin ?? '').replace(/^http/, 'ws')}${path}${query}`
  const ws = new WebSocket(url, origin === undefined ? {} : { origin })
  clients.push(ws)
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ opened: true, ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode })
      res.resume()
      ws.terminate()
    })
    ws.once('error', (error) => resolve({ opened: false, error: error.message }))
  })
}

async function openSocket(): Promise<WebSocket> {
  const outcome = await connect(`?token=${TOKEN}`, host?.origin)
  if (!outcome.opened) throw new Error(`socket refused: ${JSON.stringify(outcome)}`)
  return outcome.ws
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))))
    ws.once('close', () => reject(new Error('socket closed before a message arrived')))
  })
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-host-'))
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true })
  writeFileSync(join(dir, 'renderer', 'index.html'), INDEX)
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log("app")\n')
  // Files beside the renderer folder that traversal attempts try to reach.
  writeFileSync(join(dir, 'secret.txt'), SECRET)
  writeFileSync(join(dir, 'package.json'), `{"name":"${SECRET}"}`)
  logger = createFileLogger(join(dir, 'data', 'logs', 'carnet.log'))
})

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate()
  await host?.close()
  host = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('browser host: HTTP', () => {
  it('listens on 127.0.0.1 only and gives a token URL', async () => {
    const h = await start()
    expect(h.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(h.url).toBe(`${h.origin}/?token=${TOKEN}`)
  })

  it('serves index.html with the bridge injected and the socket allowed by the CSP', async () => {
    const h = await start()
    for (const path of ['/', '/index.html', `/?token=${TOKEN}`]) {
      const res = await get(path)
      expect(res.status).toBe(200)
      expect(res.type).toMatch(/^text\/html/)
      const bridge = res.body.indexOf('<script src="/carnet-bridge.js"></script>')
      expect(bridge).toBeGreaterThan(-1)
      expect(res.body.indexOf('<script type="module" src="/assets/app.js">')).toBeGreaterThan(
        bridge
      )
      expect(res.body).toContain(`connect-src 'self' ${h.origin.replace('http', 'ws')};`)
      expect(res.body).toContain("script-src 'self';")
    }
  })

  it('serves the bridge script and the app assets', async () => {
    await start()
    const bridge = await get('/carnet-bridge.js')
    expect(bridge.status).toBe(200)
    expect(bridge.type).toMatch(/^text\/javascript/)
    expect(bridge.body).toContain('/carnet-ws?token=')
    expect(bridge.body).toContain('"appInfo"')
    expect(bridge.body).not.toContain(TOKEN)
    const app = await get('/assets/app.js')
    expect(app.status).toBe(200)
    expect(app.body).toBe('console.log("app")\n')
  })

  it.each([
    '/../package.json',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    'ABSOLUTE_PATH_OF_SECRET',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/index.html%00',
    '/index.html%00.js',
    '/%00',
    '/%',
    '/%zz',
    '/assets',
    '/missing.js'
  ])('answers 404 for %s', async (path) => {
    await start()
    const absolute = `/${encodeURIComponent(join(dir, 'secret.txt'))}`
    const res = await get(path === 'ABSOLUTE_PATH_OF_SECRET' ? absolute : path)
    expect(res.status).toBe(404)
    expect(res.body).not.toContain(SECRET)
  })

  it.each(['//', '//[', '//[::1', 'http://[/'])(
    'answers 400 for the unparsable target %s and keeps serving',
    async (target) => {
      await start()
      const reply = await raw([`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'])
      expect(reply).toMatch(/^HTTP\/1\.1 400 /)
      expect(reply).not.toContain(SECRET)
      expect((await get('/')).status).toBe(200)
    }
  )

  it('refuses methods other than GET and HEAD', async () => {
    await start()
    expect((await get('/', 'POST')).status).toBe(405)
    expect((await get('/', 'PUT')).status).toBe(405)
    expect((await get('/', 'HEAD')).status).toBe(200)
  })
})

describe('browser host: WebSocket', () => {
  it('answers a call from its own page holding the token', async () => {
    const h = await start()
    const ws = await openSocket()
    const reply = nextMessage(ws)
    ws.send(JSON.stringify({ t: 'call', id: 1, name: 'appInfo', args: {} }))
    expect(await reply).toEqual({
      t: 'result',
      id: 1,
      envelope: {
        ok: true,
        value: {
          name: 'Carnet',
          version: '0.0.0-test',
          host: 'browser',
          platform: process.platform,
          dataDir: dir,
          logFile: logger.file
        }
      }
    })
    expect(h.token).toBe(TOKEN)
  })

  it.each([
    ['no token', '', 'own'],
    ['an empty token', '?token=', 'own'],
    ['a wrong token', '?token=wrong-token-0123456789abcde', 'own'],
    ['a token prefix', `?token=${TOKEN.slice(0, -1)}`, 'own'],
    ['a longer token', `?token=${TOKEN}x`, 'own'],
    ['no Origin', `?token=${TOKEN}`, undefined],
    ['another Origin', `?token=${TOKEN}`, 'https://evil.example'],
    ['a localhost Origin', `?token=${TOKEN}`, 'localhost'],
    ['a null Origin', `?token=${TOKEN}`, 'null']
  ])('refuses a socket with %s', async (_label, query, originKind) => {
    const h = await start()
    const origin =
      originKind === 'own'
        ? h.origin
        : originKind === 'localhost'
          ? h.origin.replace('127.0.0.1', 'localhost')
          : originKind
    const outcome = await connect(query, origin)
    expect(outcome.opened).toBe(false)
    if (!outcome.opened && outcome.status !== undefined) expect(outcome.status).toBe(403)
    expect(readFileSync(logger.file, 'utf8')).toContain('browser host: refused socket')
  })

  it.each(['//', '//['])(
    'drops an upgrade to the unparsable target %s and keeps serving',
    async (target) => {
      const h = await start()
      const reply = await raw([
        `GET ${target}?token=${TOKEN} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Origin: ${h.origin}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
      ])
      expect(reply).toBe('')
      expect((await get('/')).status).toBe(200)
      await openSocket()
    }
  )

  it('refuses the token on another path', async () => {
    const h = await start()
    const outcome = await connect(`?token=${TOKEN}`, h.origin, '/other')
    expect(outcome.opened).toBe(false)
  })

  it('answers contract errors in the envelope', async () => {
    await start()
    const ws = await openSocket()
    let reply = nextMessage(ws)
    ws.send(JSON.stringify({ t: 'call', id: 2, name: 'nope', args: {} }))
    expect(await reply).toMatchObject({
      t: 'result',
      id: 2,
      envelope: { ok: false, error: { code: 'ipc.unknownChannel' } }
    })
    reply = nextMessage(ws)
    ws.send(JSON.stringify({ t: 'call', id: 3, name: 'writeLog', args: { level: 'loud' } }))
    expect(await reply).toMatchObject({
      t: 'result',
      id: 3,
      envelope: { ok: false, error: { code: 'ipc.invalidArgs' } }
    })
    reply = nextMessage(ws)
    ws.send(
      JSON.stringify({
        t: 'call',
        id: 4,
        name: 'openExternal',
        args: { url: 'https://carnet.example.org.attacker.com/' }
      })
    )
    expect(await reply).toMatchObject({
      t: 'result',
      id: 4,
      envelope: { ok: false, error: { code: 'shell.untrustedUrl' } }
    })
    reply = nextMessage(ws)
    ws.send('{"t":"call","id":5,"name":"appInfo","args":{"__proto__":{"polluted":1}}}')
    expect(await reply).toMatchObject({
      t: 'result',
      id: 5,
      envelope: { ok: false, error: { code: 'ipc.invalidArgs' } }
    })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('ignores malformed messages and keeps serving', async () => {
    await start()
    const ws = await openSocket()
    // Left out on purpose, because each currently takes the whole host down with an uncaught
    // exception (reported): the message `null` (server.ts reads `.t` of null) and a message over
    // the 1 MiB limit (the server-side socket has no 'error' listener). Add them once fixed.
    for (const message of [
      'not json',
      '{',
      '42',
      '"call"',
      'true',
      '[]',
      '{}',
      JSON.stringify({ t: 'call' }),
      JSON.stringify({ t: 'call', id: '1', name: 'appInfo', args: {} }),
      JSON.stringify({ t: 'call', id: 1, name: 7, args: {} }),
      JSON.stringify({ t: 'result', id: 1, envelope: { ok: true } }),
      '{"t":"call","name":"appInfo","__proto__":{"polluted":1}}',
      Buffer.from([0xff, 0xfe, 0x00, 0x01])
    ]) {
      ws.send(message)
    }
    const reply = nextMessage(ws)
    ws.send(JSON.stringify({ t: 'call', id: 99, name: 'appInfo', args: {} }))
    expect(await reply).toMatchObject({ t: 'result', id: 99, envelope: { ok: true } })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('pushes events to connected pages', async () => {
    const h = await start()
    const ws = await openSocket()
    const event = nextMessage(ws)
    h.emit('powerResume', { at: '2026-01-02T03:04:05.000Z' })
    expect(await event).toEqual({
      t: 'event',
      name: 'powerResume',
      payload: { at: '2026-01-02T03:04:05.000Z' }
    })
  })
})

describe('browser host: close()', () => {
  it('closes open sockets and frees the port', async () => {
    const h = await start()
    const ws = await openSocket()
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
    const port = Number(new URL(h.origin).port)
    await h.close()
    host = undefined
    await closed
    const probe = createServer()
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => resolve())
    })
    await new Promise<void>((resolve) => probe.close(() => resolve()))
  })
})
