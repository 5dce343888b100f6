import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventName,
  type EventPayloads
} from '../../shared/ipc'
import type { Dispatch } from '../ipc/dispatch'
import type { Logger } from '../services/logger'
import { contentTypeOf, resolveRendererFile } from '../services/renderer-files'
import { installBridge } from './bridge'

export interface BrowserHostOptions {
  rendererDir: string
  dispatch: Dispatch
  logger: Logger
  port?: number
  /** Fixed token for tests; random otherwise. */
  token?: string
}

export interface BrowserHost {
  url: string
  origin: string
  token: string
  emit<K extends EventName>(name: K, payload: EventPayloads[K]): void
  close(): Promise<void>
}

const MAX_MESSAGE_BYTES = 1024 * 1024

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The request target as a URL, or null: some targets (`//`, `//[`) do not parse, and a throw in
 * a request or upgrade listener would take the whole host down for anyone who can connect.
 */
function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1')
  } catch {
    return null
  }
}

/** The served HTML: the bridge runs first, and the CSP allows exactly this host's socket. */
export function prepareIndexHtml(html: string, origin: string): string {
  const ws = origin.replace(/^http/, 'ws')
  return html
    .replace(/connect-src ([^;"]*)/, (_m, sources: string) => `connect-src ${sources} ${ws}`)
    .replace(/<script/, '<script src="/carnet-bridge.js"></script>\n    <script')
}

/**
 * Development and test host: serves the built renderer on 127.0.0.1 and the contract handlers
 * over a WebSocket that requires the per-run token and this host's own Origin.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const bridgeJs =
    `'use strict';(${installBridge.toString()})(` +
    `${JSON.stringify(Object.keys(INVOKE_CHANNELS))}, ${JSON.stringify(Object.keys(EVENT_CHANNELS))});`
  let origin = ''

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = parseTarget(req.url)
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }
    if (!target) {
      res.writeHead(400, headers).end('Bad request')
      return
    }
    const path = target.pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end()
      return
    }
    if (path === '/carnet-bridge.js') {
      res
        .writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' })
        .end(bridgeJs)
      return
    }
    const file = resolveRendererFile(options.rendererDir, path)
    if (!file) {
      res.writeHead(404, headers).end('Not found')
      return
    }
    const body = file.endsWith('index.html')
      ? prepareIndexHtml(readFileSync(file, 'utf8'), origin)
      : readFileSync(file)
    res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(file) }).end(body)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const sockets = new Set<WebSocket>()

  server.on('upgrade', (req, socket, head) => {
    const url = parseTarget(req.url)
    if (!url) {
      options.logger.warn('browser host: refused socket', { reason: 'unparsable target' })
      socket.destroy()
      return
    }
    // The host's "sender check": its own page (same Origin) holding this run's token.
    if (
      url.pathname !== '/carnet-ws' ||
      req.headers.origin !== origin ||
      !sameToken(url.searchParams.get('token'), token)
    ) {
      options.logger.warn('browser host: refused socket', { origin: req.headers.origin ?? null })
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws))
  })

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    // An oversized or malformed frame closes this socket; it must not take the host down.
    ws.on('error', (error) =>
      options.logger.warn('browser host: socket error', { error: String(error).slice(0, 200) })
    )
    ws.on('message', (raw) => {
      let message: { t?: unknown; id?: unknown; name?: unknown; args?: unknown }
      try {
        message = JSON.parse(String(raw)) as typeof message
      } catch {
        return
      }
      if (typeof message !== 'object' || message === null) return
      if (
        message.t !== 'call' ||
        typeof message.id !== 'number' ||
        typeof message.name !== 'string'
      )
        return
      const id = message.id
      void options
        .dispatch(message.name, message.args, { host: 'browser' })
        .then((envelope) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id, envelope }))
        })
        .catch((error: unknown) =>
          options.logger.error('browser host: dispatch failed', {
            error: String(error).slice(0, 300)
          })
        )
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`

  return {
    origin,
    token,
    url: `${origin}/?token=${token}`,
    emit(name, payload) {
      const data = JSON.stringify({ t: 'event', name, payload })
      for (const ws of sockets) ws.send(data)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
