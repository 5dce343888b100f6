import type { FastifyInstance } from 'fastify'
import type { AppContext } from './app'
import { HttpError } from './errors'

// setTimeout's ceiling (about 24.8 days); tokens live far less.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * `GET /api/v1/sync/events`: Server-Sent Events. An event `poke` means "pull soon"; a comment
 * line every keepalive period keeps proxies from closing an idle stream. The stream ends when
 * the client leaves, the server stops, the device is revoked (by any server process: see
 * PokeHub) or the access token that opened it expires: the client reconnects with a fresh one.
 */
export function registerEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/sync/events', async (request, reply) => {
    const auth = await ctx.requireAuth(request)
    // Fastify ignores a GET body; refusing it keeps "strict payloads" true of this route too.
    if (Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'])
      throw new HttpError(400, 'request.invalid', 'The event stream takes no request body.')
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    res.write(': connected\nretry: 5000\n\n')
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      clearInterval(keepalive)
      clearTimeout(expiry)
      remove()
      res.end()
    }
    const remove = ctx.hub.add({
      technicianId: auth.technicianId,
      role: auth.role,
      deviceId: auth.deviceId,
      poke: () => {
        if (!closed) res.write(`event: poke\ndata: {}\n\n`)
      },
      close
    })
    const keepalive = setInterval(() => {
      if (!closed) res.write(': keepalive\n\n')
    }, ctx.config.keepaliveMs)
    const lifetime = (auth.accessTokenExpiresAt ?? Infinity) - Date.now()
    const expiry = setTimeout(close, Math.max(0, Math.min(lifetime, MAX_TIMER_MS)))
    request.raw.on('close', close)
    res.on('error', close)
  })
}
