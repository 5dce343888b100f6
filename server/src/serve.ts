import type { FastifyInstance } from 'fastify'
import { configFromEnv, type ServerConfig } from './config'
import type { Db } from './db/db'
import { describeTarget, openDatabase, type DbTarget } from './db/open'
import { buildApp } from './http/app'

export interface RunningServer {
  app: FastifyInstance
  db: Db
  url: string
  close(): Promise<void>
}

/**
 * Opens the database (migrating it), then listens. /api/v1/health only answers once both are
 * done, which is what "ready" means to the scripts and tests waiting on it.
 */
export async function startServer(
  target: DbTarget,
  options: { host: string; port: number; logger?: boolean; config?: ServerConfig }
): Promise<RunningServer> {
  const db = await openDatabase(target)
  try {
    const { app } = await buildApp(db, options.config ?? configFromEnv(), options.logger ?? true)
    await app.listen({ host: options.host, port: options.port })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : options.port
    const host = options.host.includes(':') ? `[${options.host}]` : options.host
    let closing: Promise<void> | null = null
    return {
      app,
      db,
      url: `http://${host}:${port}`,
      close() {
        closing ??= (async () => {
          await app.close()
          await db.close()
        })()
        return closing
      }
    }
  } catch (error) {
    await db.close()
    throw error
  }
}

export { describeTarget }
