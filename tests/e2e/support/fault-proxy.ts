import { createServer, request, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A loopback proxy between the laptop (browser host) and the server, so tests can cut the
 * network or hold a push's answer after the server committed it. The server honours
 * `x-carnet-delay-after-commit-ms` only when started with CARNET_TEST_HOOKS=1.
 */
export interface FaultProxy {
  url: string
  /** Refuses every request, as a dead network would. */
  setOffline(offline: boolean): void
  /** Holds the answer of the next pushes this long after the server's commit. */
  delayPushAnswers(ms: number): void
  /** Resolves when a push has reached the server (its answer may still be held). */
  nextPush(): Promise<void>
  close(): Promise<void>
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  let offline = false
  let delay = 0
  let pushWaiters: Array<() => void> = []
  const sockets = new Set<Socket>()

  const server: Server = createServer((req, res) => {
    if (offline) {
      req.socket.destroy()
      return
    }
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      host: upstream.host
    }
    const isPush = req.url === '/api/v1/sync/push'
    if (isPush && delay > 0) headers['x-carnet-delay-after-commit-ms'] = String(delay)
    const forward = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
    if (isPush) {
      req.on('end', () => {
        const waiters = pushWaiters
        pushWaiters = []
        waiters.forEach((w) => w())
      })
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setOffline(value) {
      offline = value
      if (value) for (const s of sockets) s.destroy()
    },
    delayPushAnswers(ms) {
      delay = ms
    },
    nextPush: () => new Promise<void>((resolve) => pushWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
