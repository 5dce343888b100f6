import type { FastifyInstance } from 'fastify'
import { loginRequestSchema, refreshRequestSchema } from '../../../src/shared/sync/protocol'
import { login, refresh, revokeDevice, tooManyRequests } from '../auth/sessions'
import type { AppContext } from './app'
import { parseBody, unauthorized } from './errors'

export function registerAuthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, config, hub, loginFailures } = ctx

  app.post('/api/v1/auth/login', async (request) => {
    const body = parseBody(loginRequestSchema, request.body)
    const emailKey = body.email.trim().toLowerCase()
    const wait = Math.max(
      loginFailures.email.blockedFor(emailKey),
      loginFailures.ip.blockedFor(request.ip)
    )
    if (wait > 0) {
      throw tooManyRequests(wait, `Too many failed sign-ins: try again in ${wait} s.`)
    }
    const session = await login(db, config, body)
    if (!session) {
      loginFailures.email.fail(emailKey)
      loginFailures.ip.fail(request.ip)
      throw unauthorized('Wrong email or password.')
    }
    loginFailures.email.reset(emailKey)
    return session
  })

  app.post('/api/v1/auth/refresh', async (request) => {
    const body = parseBody(refreshRequestSchema, request.body)
    const result = await refresh(db, config, body.refreshToken)
    if ('revokedDeviceId' in result) {
      hub.closeDevice(result.revokedDeviceId)
      throw unauthorized(
        'This refresh token was already used: the session has been closed for safety. Sign in again.'
      )
    }
    return result
  })

  app.post('/api/v1/auth/logout', async (request) => {
    const auth = await ctx.requireAuth(request)
    await revokeDevice(db, auth.deviceId, 'logout')
    hub.closeDevice(auth.deviceId)
    return { ok: true }
  })
}
