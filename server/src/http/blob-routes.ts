import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthContext } from '../auth/sessions'
import type { AppContext } from './app'
import { HttpError } from './errors'

const SHA256 = /^[0-9a-f]{64}$/

function checkHash(hash: string): string {
  if (!SHA256.test(hash))
    throw new HttpError(400, 'blob.invalidHash', 'A blob is named by its SHA-256 in lowercase hex.')
  return hash
}

/**
 * Who may read a blob. Attachment metadata (which intervention a blob belongs to) does not exist
 * yet, so scope cannot be checked through it: until it does, a blob is readable by the devices
 * that uploaded it and by leads. Anyone else gets the same 404 as for a missing blob, so a hash
 * cannot be probed.
 */
function readableSql(auth: AuthContext): { where: string; params: unknown[] } {
  return auth.role === 'lead'
    ? { where: 'b.sha256 = $1', params: [] }
    : {
        where: `b.sha256 = $1 AND EXISTS (SELECT 1 FROM blob_uploads u
                  WHERE u.sha256 = b.sha256 AND u.device_id = $2)`,
        params: [auth.deviceId]
      }
}

/** Callers of blob uploads, resolved before their body is read (see the PUT route). */
const uploaders = new WeakMap<FastifyRequest, AuthContext>()

/**
 * Content-addressed attachments (signatures, photos). PUT is idempotent and verifies that the
 * body hashes to its name; it also makes the blob readable by the uploading device (who has
 * just shown it holds the bytes). Reads: see readableSql.
 */
export function registerBlobRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Every route reads an octet-stream body within the app's limit; only the PUT below takes
  // more (its own bodyLimit wins over the parser's). A limit on the parser itself would apply
  // to every route, sign-in included.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body)
  )

  app.head<{ Params: { sha256: string } }>('/api/v1/blobs/:sha256', async (request, reply) => {
    const auth = await ctx.requireAuth(request)
    const hash = checkHash(request.params.sha256)
    const { where, params } = readableSql(auth)
    const { rows } = await ctx.db.query<{ size: number }>(
      `SELECT b.size FROM blobs b WHERE ${where}`,
      [hash, ...params]
    )
    const row = rows[0]
    if (!row) return reply.status(404).send()
    return reply
      .header('content-length', row.size)
      .header('content-type', 'application/octet-stream')
      .send()
  })

  app.get<{ Params: { sha256: string } }>('/api/v1/blobs/:sha256', async (request, reply) => {
    const auth = await ctx.requireAuth(request)
    const hash = checkHash(request.params.sha256)
    const { where, params } = readableSql(auth)
    const { rows } = await ctx.db.query<{ bytes: Uint8Array }>(
      `SELECT b.bytes FROM blobs b WHERE ${where}`,
      [hash, ...params]
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
    {
      bodyLimit: ctx.config.blobLimitBytes,
      // The caller and the name are checked before the body (up to blobLimitBytes) is read.
      onRequest: async (request) => {
        uploaders.set(request, await ctx.requireAuth(request))
        checkHash(request.params.sha256)
      }
    },
    async (request, reply) => {
      const auth = uploaders.get(request)
      if (!auth) throw new Error('blob upload: no caller resolved before the body')
      const hash = request.params.sha256
      if (!Buffer.isBuffer(request.body))
        throw new HttpError(
          415,
          'body.unsupportedMediaType',
          'Send the blob as application/octet-stream.'
        )
      const actual = createHash('sha256').update(request.body).digest('hex')
      if (actual !== hash)
        throw new HttpError(400, 'blob.hashMismatch', `The body hashes to ${actual}, not ${hash}.`)
      const bytes = request.body
      const rowCount = await ctx.db.transaction(async (tx) => {
        const { rowCount: created } = await tx.query(
          `INSERT INTO blobs (sha256, size, bytes, created_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (sha256) DO NOTHING`,
          [hash, bytes.length, bytes, auth.technicianId]
        )
        await tx.query(
          `INSERT INTO blob_uploads (sha256, device_id) VALUES ($1, $2)
           ON CONFLICT (sha256, device_id) DO NOTHING`,
          [hash, auth.deviceId]
        )
        return created
      })
      return reply
        .status(rowCount > 0 ? 201 : 200)
        .send({ sha256: hash, size: request.body.length })
    }
  )
}
