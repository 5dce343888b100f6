import { resolve } from 'node:path'

/*
 * The server is its own TypeScript project (server/tsconfig.json), outside this one: the bench
 * loads server/bench/api.ts at run time (Playwright transpiles it) and declares here the part it
 * calls. server/bench/api.ts is typechecked with server/bench/tsconfig.json.
 */

/** A server Db handle, opaque on this side. */
export interface Db {
  readonly kind: 'postgres' | 'pglite'
}

export interface Seeded {
  email: string
  password: string
  technicianId: string
  targets: string[]
  collectiviteOf: Map<string, string>
  counts: Record<string, number>
  total: number
}

export interface EntryArgs {
  id: string
  interventionId: string
  startedAt: string
  endedAt: string
  mode: 'onSite'
  source: 'manual'
  note: string
}

export interface ClientIds {
  clientGroupId: string
  clientId: string
  next: number
}

export interface PushRequest {
  protocolVersion: 1
  schemaVersion: number
  clientGroupId: string
  clientId: string
  mutations: Array<{ id: number; name: string; args: unknown; clientTime: string }>
}

export interface Completed {
  url: string
  ms: number
  status: number
}

export interface DirectPushes {
  handler: Record<number, number[]>
  raw: Record<number, number[]>
  breakdown: Array<{ sql: string; perPushMs: number; perPushCalls: number }>
}

export interface ServerBench {
  pgAvailable(): boolean
  openBench(
    kind: 'postgres' | 'pglite',
    name: string
  ): Promise<{ db: Db; databaseUrl: string | null; close(): Promise<void> }>
  seedWorld(db: Db, interventions: number, timeEntries: number): Promise<Seeded>
  startInProcess(db: Db, done: Completed[]): Promise<{ url: string; stop(): Promise<void> }>
  entryArgs(
    targets: readonly string[],
    n: number,
    offset: number,
    perIntervention?: number
  ): EntryArgs[]
  pushBody(device: ClientIds, args: EntryArgs[]): PushRequest
  directPushes(
    db: Db,
    seeded: Seeded,
    token: string,
    sizes: readonly number[],
    perSize: number,
    warmup: number
  ): Promise<DirectPushes>
  rawPushTx(db: Db, seeded: Seeded, entries: EntryArgs[], version: number): Promise<void>
  rawIngest(db: Db, seeded: Seeded, entries: EntryArgs[], version: number): Promise<void>
  /** The floor of the writes a push must make (raw-sql.ts), as the client `clientId`. */
  rawRequiredWrites(db: Db, seeded: Seeded, entries: EntryArgs[], clientId: string): Promise<void>
  /** `n` client rows for rawRequiredWrites. */
  rawClients(db: Db, seeded: Seeded, n: number): Promise<string[]>
  rawPull(db: Db, pageSize: number): Promise<number>
  currentVersion(db: Db): Promise<number>
  /** A backend pid of the PostgreSQL cluster behind db; null on PGlite. */
  backendPid(db: Db): Promise<number | null>
}

const API = resolve(__dirname, '..', 'server', 'bench', 'api.ts')

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
export const serverBench = (require(API) as { serverBench: ServerBench }).serverBench
