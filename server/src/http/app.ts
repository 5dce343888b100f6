import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest
} from 'fastify'
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../../src/shared/sync/protocol'
import { authenticate, tooManyRequests, type AuthContext } from '../auth/sessions'
import { dummyHash } from '../auth/passwords'
import { FailureCounter, TokenBuckets } from '../auth/rate-limit'
import type { ServerConfig } from '../config'
import { isTransientDbError, type Db } from '../db/db'
import { PokeHub } from '../sync/pokes'
import { registerAuthRoutes } from './auth-routes'
import { registerBlobRoutes } from './blob-routes'
import { HttpError } from './errors'
import { registerEventRoutes } from './event-routes'
import { registerSyncRoutes } from './sync-routes'

/** Shared by the route modules: the database, the limits and the caller resolution. */
export interface AppContext {
  db: Db
  config: ServerConfig
  hub: PokeHub
  loginFailures: { email: FailureCounter; ip: FailureCounter }
  /** Resolves the bearer token and applies the per-device rate limit. */
  requireAuth(request: FastifyRequest): Promise<AuthContext>
}

/**
 * One log line per request, when it completes (method, URL, status, address, time), rather than
 * Fastify’s two: each line is a synchronous write, and the "incoming" one says little more.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      req: { method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      remoteAddress: request.ip,
      responseTime: reply.elapsedTime
    }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}

/** Maps whatever was thrown to the one error body shape; bad input never becomes a 500. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error
  const e = error as { statusCode?: number; code?: string; message?: string }
  if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new HttpError(413, 'body.tooLarge', 'The request body is too large.')
  if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HttpError(415, 'body.unsupportedMediaType', 'Send the body as application/json.')
  if (isTransientDbError(error))
    return new HttpError(
      503,
      'server.unavailable',
      'The database is briefly unavailable: retry soon.',
      undefined,
      {
        'retry-after': '2'
      }
    )
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return new HttpError(e.statusCode, 'request.invalid', e.message ?? 'The request is invalid.')
  return new HttpError(500, 'server.error', 'The server failed unexpectedly; the error was logged.')
}

export interface BuiltApp {
  app: FastifyInstance
  hub: PokeHub
}

/**
 * Builds the HTTP server over an open, migrated database. The caller listens and closes; closing
 * the app also stops the SSE hub but leaves the database open.
 */
export async function buildApp(db: Db, config: ServerConfig, logger = false): Promise<BuiltApp> {
  const app = Fastify({
    logger: logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: config.bodyLimitBytes,
    // A JSON body with __proto__ or constructor.prototype is refused, not silently stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: config.trustProxy,
    logController: new OneLinePerRequest()
  })
  const hub = new PokeHub(db)
  await hub.start()
  // The first unknown-email sign-in must not pay for computing the dummy hash (a timing tell).
  await dummyHash(config.scryptLogN)
  const devices = new TokenBuckets(config.deviceBurst, config.deviceRatePerSecond)
  const ctx: AppContext = {
    db,
    config,
    hub,
    loginFailures: {
      email: new FailureCounter(config.loginFailuresPerEmail, config.loginWindowMs),
      ip: new FailureCounter(config.loginFailuresPerEmail * 4, config.loginWindowMs)
    },
    async requireAuth(request) {
      const auth = await authenticate(db, request.headers.authorization)
      const wait = devices.take(auth.deviceId)
      if (wait > 0) throw tooManyRequests(wait, 'Too many requests from this device: slow down.')
      return auth
    }
  }

  app.setErrorHandler((error, request, reply) => {
    const http = toHttpError(error)
    if (http.status >= 500) request.log.error({ err: error }, 'request failed')
    void reply.status(http.status).headers(http.headers).send(http.body())
  })
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        new HttpError(404, 'route.notFound', `No route ${request.method} ${request.url}.`).body()
      )
  })

  app.get('/api/v1/health', async () => ({
    ok: true,
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: SCHEMA_VERSION,
    database: db.kind
  }))
  registerAuthRoutes(app, ctx)
  registerSyncRoutes(app, ctx)
  registerEventRoutes(app, ctx)
  registerBlobRoutes(app, ctx)
  // Before the listener closes: open event streams would otherwise keep close() waiting.
  app.addHook('preClose', async () => {
    await hub.stop()
  })
  return { app, hub }
}
