import type { FastifyInstance, FastifyRequest } from 'fastify'
import { pullRequestSchema, pushRequestSchema } from '../../../src/shared/sync/protocol'
import { answerPull } from '../sync/pull'
import { applyPush } from '../sync/push'
import type { AppContext } from './app'
import { parseBody } from './errors'

/** Upper bound of the test hook's delay, so a typo cannot hang a test run for hours. */
const MAX_TEST_DELAY_MS = 120_000

/**
 * Test hook (only with CARNET_TEST_HOOKS=1): `x-carnet-delay-after-commit-ms: N` holds the push
 * response N ms after the commit, so a test can kill the client between the server's commit and
 * its answer. Production never enables it.
 */
function testDelay(ctx: AppContext, request: FastifyRequest): number {
  if (!ctx.config.testHooks) return 0
  const raw = request.headers['x-carnet-delay-after-commit-ms']
  const ms = Number(Array.isArray(raw) ? raw[0] : raw)
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_TEST_DELAY_MS) : 0
}

export function registerSyncRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/v1/sync/push', async (request) => {
    const auth = await ctx.requireAuth(request)
    const body = parseBody(pushRequestSchema, request.body)
    const result = await applyPush(ctx.db, ctx.config, auth, body, request.log)
    const delay = testDelay(ctx, request)
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    return result
  })

  app.post('/api/v1/sync/pull', async (request, reply) => {
    const auth = await ctx.requireAuth(request)
    const body = parseBody(pullRequestSchema, request.body)
    const page = await answerPull(ctx.db, auth, body)
    // A page runs to a megabyte or so: encoded once here, where a string reply would be scanned
    // for its Content-Length and then encoded again as it is written.
    return reply.type('application/json; charset=utf-8').send(Buffer.from(JSON.stringify(page)))
  })
}
