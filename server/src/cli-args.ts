import { parseArgs } from 'node:util'

/** Every option any command takes; each command checks the ones it needs. */
const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  email: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  insee: { type: 'string' },
  collectivite: { type: 'string' },
  technician: { type: 'string' },
  number: { type: 'string' },
  units: { type: 'string' },
  starts: { type: 'string' },
  ends: { type: 'string' },
  signed: { type: 'string' },
  scope: { type: 'string' },
  intervention: { type: 'string' },
  limit: { type: 'string' },
  quiet: { type: 'boolean' }
} as const

export type CliOptions = Partial<Record<keyof typeof OPTIONS, string | boolean>>

export class UsageError extends Error {
  readonly code = 'usage'
}

export function parseCli(argv: readonly string[]): {
  command: string | undefined
  options: CliOptions
} {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true
    })
    if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`)
    return { command: positionals[0], options: values as CliOptions }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError((error as Error).message)
  }
}

/** A required string option, or a usage error naming it. */
export function need(options: CliOptions, name: keyof typeof OPTIONS): string {
  const value = options[name]
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Missing --${name}.`)
  return value
}

export function optional(options: CliOptions, name: keyof typeof OPTIONS): string | undefined {
  const value = options[name]
  return typeof value === 'string' ? value : undefined
}

export function intOption(
  options: CliOptions,
  name: keyof typeof OPTIONS,
  min: number,
  max: number
): number {
  const raw = need(options, name)
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}").`)
  return value
}

export const USAGE = `carnet-server <command> [options]

Commands:
  migrate                                   apply pending database migrations
  serve --port N [--host 127.0.0.1]         start the HTTP server (migrates first)
  create-technician --email E --name N --password P --role technician|lead
  create-collectivite --name N [--insee 75056]
  create-convention --collectivite ID --number 2025SUP001 --units N
                    --starts YYYY-MM-DD --ends YYYY-MM-DD [--signed YYYY-MM-DD]
                    [--scope intervention|entry|day]
  assign --technician ID --collectivite ID
  unassign --technician ID --collectivite ID
  rotate-epoch                              after restoring a backup: new database id, so
                                            every client resets on its next pull
  seed-demo [--password P]                  fictional demo data + demo@carnet.example and
                                            lead@carnet.example (idempotent)
  conflicts [--intervention ID] [--limit N] intervention values overwritten by a concurrent
                                            edit, newest first (N: 1-10000, default 100)

Options for every command:
  --data DIR    embedded database folder (default ./carnet-server-data)
                ignored when DATABASE_URL is set (PostgreSQL)
  --json        machine-readable output: one JSON object per line
`
