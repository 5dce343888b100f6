import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configFromEnv } from '../src/config'
import type { Db } from '../src/db/db'
import { buildApp } from '../src/http/app'
import { openDatabase } from '../src/db/open'
import { currentVersion } from '../src/sync/versions'
import { pgAvailable, startPgCluster } from '../test/helpers/pg-cluster'
import { directPushes } from './direct'
import { rawClients, rawIngest, rawPull, rawPushTx, rawRequiredWrites } from './raw-sql'
import { entryArgs, pushBody, seedWorld } from './world'

/*
 * The server side of `npm run bench` (bench/server*.ts, bench/sync*.ts load this module at run
 * time): throwaway databases, seeding, raw SQL floors and direct handler timings. Typechecked
 * with server/bench/tsconfig.json; bench/server-deps.ts declares the part the bench calls.
 */

export interface BenchDb {
  db: Db
  /** Set on PostgreSQL: what the CLI server process gets as DATABASE_URL. */
  databaseUrl: string | null
  close(): Promise<void>
}

/** A fresh migrated database: on a throwaway PostgreSQL 15 cluster, or in a temp PGlite folder. */
export async function openBench(kind: 'postgres' | 'pglite', name: string): Promise<BenchDb> {
  if (kind === 'postgres') {
    const cluster = await startPgCluster()
    try {
      const databaseUrl = await cluster.createDatabase(name)
      const db = await openDatabase({ databaseUrl })
      return { db, databaseUrl, close: async () => void (await db.close(), cluster.stop()) }
    } catch (error) {
      cluster.stop()
      throw error
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `carnet-${name}-`))
  const db = await openDatabase({ dataDir: dir })
  return {
    db,
    databaseUrl: null,
    close: async () => {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface Completed {
  url: string
  ms: number
  status: number
}

/**
 * The embedded (PGlite) server as deployed: in the process of its database (here also the load
 * generator's). Times are Fastify's `reply.elapsedTime`, what its logger prints as responseTime.
 */
export async function startInProcess(db: Db, done: Completed[]) {
  const { app } = await buildApp(db, configFromEnv({}), false)
  app.addHook('onResponse', async (request, reply) => {
    done.push({ url: request.url, ms: reply.elapsedTime, status: reply.statusCode })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, stop: () => app.close() }
}

/** A backend process id of the PostgreSQL cluster behind `db` (its CPU is read from /proc). */
export async function backendPid(db: Db): Promise<number | null> {
  if (db.kind !== 'postgres') return null
  const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  return rows[0]?.pid ?? null
}

export const serverBench = {
  pgAvailable,
  openBench,
  seedWorld,
  startInProcess,
  entryArgs,
  pushBody,
  directPushes,
  rawPushTx,
  rawIngest,
  rawRequiredWrites,
  rawClients,
  rawPull,
  currentVersion,
  backendPid
}
