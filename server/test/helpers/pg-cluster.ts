import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway PostgreSQL 15 cluster for one test file: initdb into a temp folder, pg_ctl start on
 * a free loopback port with its socket in that folder, torn down (stop -m immediate, rm -rf) by
 * stop(). initdb refuses to run as root, so as root the folder is given to `postgres` and the
 * binaries run through `runuser`.
 */
export const PG_BIN = process.env.CARNET_PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface PgCluster {
  port: number
  /** A connection string for a fresh database created on demand. */
  createDatabase(name: string): Promise<string>
  stop(): void
}

export function pgAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'))
}

/** The one loud line when PostgreSQL is missing; with CI set, a skip is a failure instead. */
export function pgMissingMessage(): string {
  return `PostgreSQL suites SKIPPED: ${PG_BIN}/initdb missing; install it with: bash scripts/install-system-deps.sh`
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startPgCluster(): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'carnet-pg-'))
  const asRoot = process.getuid?.() === 0
  const run = (file: string, args: string[]): void => {
    const command = asRoot ? 'runuser' : join(PG_BIN, file)
    const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, file), ...args] : args
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 })
    if (result.status !== 0) {
      throw new Error(`${file} failed: ${result.stderr || result.stdout || result.error}`)
    }
  }
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()
    chownSync(root, Number(ids), Number(gid))
  }
  const data = join(root, 'data')
  let started = false
  const stop = (): void => {
    if (started) {
      started = false
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w'])
      } catch {
        // Already gone; the folder is removed below anyway.
      }
    }
    rmSync(root, { recursive: true, force: true })
  }
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
    const port = await freePort()
    const conf = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
      "log_min_messages = 'fatal'"
    ].join('\n')
    writeFileSync(join(data, 'postgresql.auto.conf'), `${conf}\n`)
    if (asRoot) spawnSync('chown', ['postgres:postgres', join(data, 'postgresql.auto.conf')])
    run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(root, 'log')])
    started = true
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`
    return {
      port,
      async createDatabase(name) {
        const { default: pg } = await import('pg')
        const client = new pg.Client({ connectionString: admin })
        await client.connect()
        try {
          await client.query(`CREATE DATABASE ${name}`)
        } finally {
          await client.end()
        }
        return `postgresql://postgres@127.0.0.1:${port}/${name}`
      },
      stop
    }
  } catch (error) {
    stop()
    throw error
  }
}
