import type { FastifyInstance } from 'fastify'
import type { AppContext } from './app'

/**
 * `GET /api/v1/sync/events`: Server-Sent Events. An event `poke` means "pull soon"; a comment
 * line every keepalive period keeps proxies from closing an idle stream. The stream ends when
 * the client leaves, the server stops, or the device is revoked.
 */
export function registerEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/sync/events', async (request, reply) => {
    const auth = await ctx.requireAuth(request)
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
    request.raw.on('close', close)
    res.on('error', close)
  })
}
