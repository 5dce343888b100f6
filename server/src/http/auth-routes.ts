import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { loginRequestSchema, refreshRequestSchema } from '../../../src/shared/sync/protocol'
import { login, refresh, revokeDevice, tooManyRequests } from '../auth/sessions'
import type { AppContext } from './app'
import { parseBody, unauthorized } from './errors'

/** Logout takes no arguments: no body, or an empty JSON object (what the app sends). */
const logoutRequestSchema = z.strictObject({}).optional()

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
    // Counted as a failure before the (slow) password check, in the same synchronous step as
    // the check above: concurrent guesses cannot all slip in before the first one fails.
    loginFailures.email.fail(emailKey)
    loginFailures.ip.fail(request.ip)
    let session
    try {
      session = await login(db, config, body)
    } catch (error) {
      loginFailures.email.refund(emailKey)
      loginFailures.ip.refund(request.ip)
      throw error
    }
    if (!session) throw unauthorized('Wrong email or password.')
    loginFailures.email.reset(emailKey)
    loginFailures.ip.refund(request.ip)
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
    parseBody(logoutRequestSchema, request.body)
    await revokeDevice(db, auth.deviceId, 'logout')
    hub.closeDevice(auth.deviceId)
    return { ok: true }
  })
}
