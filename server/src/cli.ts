import {
  assign,
  createCollectivite,
  createConvention,
  createTechnician,
  rotateEpoch,
  unassign
} from './admin/commands'
import { conflictsText, listConflicts } from './admin/conflicts'
import { AdminError } from './admin/errors'
import { seedDemo } from './admin/seed-demo'
import { intOption, need, optional, parseCli, USAGE, UsageError, type CliOptions } from './cli-args'
import type { Db } from './db/db'
import { DataDirBusyError } from './db/data-lock'
import { migrate } from './db/migrations'
import { describeTarget, openDatabase, type DbTarget } from './db/open'
import { startServer } from './serve'
import type { Role } from '../../src/shared/sync/protocol'
import type { UnitsScope } from '../../src/shared/domain'

export interface CliIo {
  out(line: string): void
  err(line: string): void
  env: NodeJS.ProcessEnv
  /** Resolves when serve should stop (SIGINT/SIGTERM by default). */
  stopSignal?: Promise<void>
  /** Called once serve listens (tests use it to learn the URL). */
  onListening?: (url: string) => void
}

type Output = Record<string, unknown> & { id?: string }

function target(options: CliOptions, env: NodeJS.ProcessEnv): DbTarget {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir: optional(options, 'data') }
}

async function withDb<T>(t: DbTarget, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(t)
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

function role(value: string): Role {
  if (value !== 'technician' && value !== 'lead')
    throw new UsageError('--role must be technician or lead.')
  return value
}

/** Runs one admin command; returns what to print. */
async function runAdmin(
  command: string,
  o: CliOptions,
  t: DbTarget
): Promise<{ result: Output; text: string }> {
  switch (command) {
    case 'migrate': {
      const db = await openDatabase(t)
      try {
        const applied = await migrate(db)
        return {
          result: { migrated: true, database: db.kind },
          text: `Database up to date (${describeTarget(t)}).${applied.length ? '' : ''}`
        }
      } finally {
        await db.close()
      }
    }
    case 'create-technician': {
      const input = {
        email: need(o, 'email'),
        name: need(o, 'name'),
        password: need(o, 'password'),
        role: role(need(o, 'role'))
      }
      const id = await withDb(t, (db) => createTechnician(db, input))
      return { result: { id }, text: `Technician created: ${id}` }
    }
    case 'create-collectivite': {
      const insee = optional(o, 'insee')
      const id = await withDb(t, (db) =>
        createCollectivite(db, { name: need(o, 'name'), ...(insee ? { insee } : {}) })
      )
      return { result: { id }, text: `Municipality created: ${id}` }
    }
    case 'create-convention': {
      const signed = optional(o, 'signed')
      const input = {
        collectiviteId: need(o, 'collectivite'),
        number: need(o, 'number'),
        unitsPurchased: intOption(o, 'units', 1, 100000),
        startsOn: need(o, 'starts'),
        endsOn: need(o, 'ends'),
        ...(signed ? { signedOn: signed } : {}),
        scope: (optional(o, 'scope') ?? 'intervention') as UnitsScope
      }
      const id = await withDb(t, (db) => createConvention(db, input))
      return { result: { id }, text: `Agreement created: ${id}` }
    }
    case 'assign':
    case 'unassign': {
      const tech = need(o, 'technician')
      const coll = need(o, 'collectivite')
      const id = await withDb(t, (db) =>
        command === 'assign' ? assign(db, tech, coll) : unassign(db, tech, coll)
      )
      return {
        result: { id },
        text: `${command === 'assign' ? 'Assignment' : 'Assignment ended'}: ${id}`
      }
    }
    case 'rotate-epoch': {
      const databaseId = await withDb(t, (db) => rotateEpoch(db))
      return {
        result: { databaseId },
        text: `New database id ${databaseId}: every client rebuilds its copy on its next pull.`
      }
    }
    case 'seed-demo': {
      const password = optional(o, 'password')
      const seeded = await withDb(t, (db) => seedDemo(db, password ? { password } : {}))
      const text = [
        `Demo data seeded (fictional): ${seeded.collectivites} municipalities, ${seeded.interventions} interventions.`,
        `  technician: ${seeded.technician.email} / ${seeded.technician.created ? seeded.technician.password : '(existing account, password unchanged)'}`,
        `  lead:       ${seeded.lead.email} / ${seeded.lead.created ? seeded.lead.password : '(existing account, password unchanged)'}`,
        'These passwords are public: never seed demo accounts on a server holding real work.'
      ].join('\n')
      return { result: { ...seeded }, text }
    }
    case 'conflicts': {
      const interventionId = optional(o, 'intervention')
      const limit = o.limit === undefined ? 100 : intOption(o, 'limit', 1, 10000)
      const conflicts = await withDb(t, (db) =>
        listConflicts(db, { limit, ...(interventionId !== undefined ? { interventionId } : {}) })
      )
      return { result: { conflicts }, text: conflictsText(conflicts) }
    }
    default:
      throw new UsageError(`Unknown command "${command}".`)
  }
}

async function serve(o: CliOptions, t: DbTarget, io: CliIo): Promise<void> {
  const port = intOption({ port: optional(o, 'port') ?? '8787' }, 'port', 0, 65535)
  const host = optional(o, 'host') ?? '127.0.0.1'
  const server = await startServer(t, { host, port, logger: !o.quiet })
  const stop =
    io.stopSignal ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
  if (o.json) io.out(JSON.stringify({ listening: server.url, database: server.db.kind }))
  else io.out(`carnet-server listening on ${server.url} (${describeTarget(t)})`)
  io.onListening?.(server.url)
  await stop
  await server.close()
}

/**
 * The `carnet-server` command line. Returns the exit code: 0 done, 1 refused (bad input, busy
 * data folder...), 2 usage error. Errors go to stderr, as JSON with --json.
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  let json = argv.includes('--json')
  try {
    const { command, options } = parseCli(argv)
    json = options.json === true
    if (!command || options.help) {
      io.out(USAGE)
      return command || options.help ? 0 : 2
    }
    const t = target(options, io.env)
    if (command === 'serve') {
      await serve(options, t, io)
      return 0
    }
    const { result, text } = await runAdmin(command, options, t)
    io.out(json ? JSON.stringify(result) : text)
    return 0
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof AdminError ||
      error instanceof DataDirBusyError
    const code = known ? (error as { code: string }).code : 'internal'
    const message = error instanceof Error ? error.message : String(error)
    io.err(json ? JSON.stringify({ error: { code, message } }) : `carnet-server: ${message}`)
    if (error instanceof UsageError && !json) io.err('Run carnet-server --help for usage.')
    return error instanceof UsageError ? 2 : 1
  }
}

function defaultIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env
  }
}
