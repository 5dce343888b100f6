import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from './app'
import { HttpError } from './errors'

const SHA256 = /^[0-9a-f]{64}$/

function checkHash(hash: string): string {
  if (!SHA256.test(hash))
    throw new HttpError(400, 'blob.invalidHash', 'A blob is named by its SHA-256 in lowercase hex.')
  return hash
}

/**
 * Content-addressed attachments (signatures, photos). PUT is idempotent and verifies that the
 * body hashes to its name; the metadata record travels through the normal push. Knowing a hash
 * is needed to read a blob; any signed-in device may read it (documented in docs/sync-api.md).
 */
export function registerBlobRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: ctx.config.blobLimitBytes },
    (_request, body, done) => done(null, body)
  )

  app.head<{ Params: { sha256: string } }>('/api/v1/blobs/:sha256', async (request, reply) => {
    await ctx.requireAuth(request)
    const { rows } = await ctx.db.query<{ size: number }>(
      'SELECT size FROM blobs WHERE sha256 = $1',
      [checkHash(request.params.sha256)]
    )
    const row = rows[0]
    if (!row) return reply.status(404).send()
    return reply
      .header('content-length', row.size)
      .header('content-type', 'application/octet-stream')
      .send()
  })

  app.get<{ Params: { sha256: string } }>('/api/v1/blobs/:sha256', async (request, reply) => {
    await ctx.requireAuth(request)
    const hash = checkHash(request.params.sha256)
    const { rows } = await ctx.db.query<{ bytes: Uint8Array }>(
      'SELECT bytes FROM blobs WHERE sha256 = $1',
      [hash]
    )
    const row = rows[0]
    if (!row) throw new HttpError(404, 'blob.notFound', `No blob ${hash} on the server.`)
    return reply
      .header('content-type', 'application/octet-stream')
      .header('cache-control', 'private, max-age=31536000, immutable')
      .send(Buffer.from(row.bytes))
  })

  app.put<{ Params: { sha256: string } }>(
    '/api/v1/blobs/:sha256',
    { bodyLimit: ctx.config.blobLimitBytes },
    async (request, reply) => {
      const auth = await ctx.requireAuth(request)
      const hash = checkHash(request.params.sha256)
      if (!Buffer.isBuffer(request.body))
        throw new HttpError(
          415,
          'body.unsupportedMediaType',
          'Send the blob as application/octet-stream.'
        )
      const actual = createHash('sha256').update(request.body).digest('hex')
      if (actual !== hash)
        throw new HttpError(400, 'blob.hashMismatch', `The body hashes to ${actual}, not ${hash}.`)
      const { rowCount } = await ctx.db.query(
        `INSERT INTO blobs (sha256, size, bytes, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256) DO NOTHING`,
        [hash, request.body.length, request.body, auth.technicianId]
      )
      return reply
        .status(rowCount > 0 ? 201 : 200)
        .send({ sha256: hash, size: request.body.length })
    }
  )
}
