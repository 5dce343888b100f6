import type { Table } from 'dexie'
import type { PullOp, PullResponse, RejectionRow, SyncTable } from '../../../shared/sync/protocol'
import { uuidv7 } from '../../../shared/domain/ids'
import type { CarnetDb } from '../db/database'
import { refreshLocalUnits } from '../db/repos/policy'
import type { OutboxRow } from '../db/rows'

/** Mutations whose local effect is a new row: when the server refuses them, the row goes. */
const CREATES: Record<string, 'interventions' | 'timeEntries'> = {
  'intervention.create.v1': 'interventions',
  'timeEntry.add.v1': 'timeEntries'
}

function idsOf(entry: OutboxRow): string[] {
  const args = entry.args as { id?: unknown; interventionId?: unknown }
  return [args.id, args.interventionId].filter((v): v is string => typeof v === 'string')
}

type Row = Record<string, unknown>

const BULK_SLICE = 250

/**
 * A new client id with the outbox renumbered 1..n (the server sees a brand-new client); returns
 * the new id.
 */
async function rekeyClient(db: CarnetDb): Promise<string> {
  const queued = await db.outbox.orderBy('mutationId').toArray()
  const clientId = uuidv7()
  await db.outbox.clear()
  await db.outbox.bulkAdd(queued.map((entry, i) => ({ ...entry, mutationId: i + 1 })))
  await db.meta.bulkPut([
    { key: 'clientId', value: clientId },
    { key: 'mutationCounter', value: queued.length },
    { key: 'ackedMutationId', value: 0 }
  ])
  return clientId
}

/** This device's client id and counters, as stored (readSyncMeta created the id). */
async function storedClient(db: CarnetDb) {
  const [id, acked, issued] = await db.meta.bulkGet([
    'clientId',
    'ackedMutationId',
    'mutationCounter'
  ])
  if (typeof id?.value !== 'string') throw new Error('sync: no client id to apply a pull page to')
  const count = (row: typeof acked) => (typeof row?.value === 'number' ? row.value : 0)
  return { clientId: id.value, acked: count(acked), issued: count(issued) }
}

export interface ApplyResult {
  ops: number
  acked: number
  rejected: number
}

/**
 * The last op per (table, key) of a page, grouped by table, so each table is written with one
 * bulkPut and one bulkDelete: a first sync of 100k rows costs what Dexie's bulk writes cost.
 */
function collapse(ops: readonly PullOp[]): Map<SyncTable, Map<string, Row | null>> {
  const byTable = new Map<SyncTable, Map<string, Row | null>>()
  for (const op of ops) {
    let rows = byTable.get(op.table)
    if (!rows) byTable.set(op.table, (rows = new Map()))
    rows.set(op.key, op.op === 'put' ? op.value : null)
  }
  return byTable
}

/**
 * Applies one pull page, its cookie and the acknowledgement in ONE transaction: a crash mid-pull
 * resumes from the last applied page, never from a cookie ahead of its rows. The client id is
 * read here, not passed in: a page may re-key it, and the next pages must use the new one.
 *
 * Acknowledged outbox entries leave with the pull's last page only: a refusal comes as a row of
 * the version that acknowledged it, and may sit on a later page than that acknowledgement (each
 * page carries the server's counters as they are); it must still find its entry then.
 *
 * Rows with outbox mutations the server has not acknowledged yet keep their local state (the
 * server's copy predates them); the next pull after the push brings the merged row. Rows from
 * the server carry the server's units, which are this device's units too once nothing is pending.
 */
export async function applyPullPage(db: CarnetDb, page: PullResponse): Promise<ApplyResult> {
  const tables = {
    collectivites: db.collectivites,
    conventions: db.conventions,
    sites: db.sites,
    assets: db.assets,
    interventions: db.interventions,
    timeEntries: db.timeEntries,
    balances: db.balances,
    rejections: db.rejections,
    remoteSessions: db.remoteSessions
  } satisfies Record<SyncTable, unknown> as unknown as Record<SyncTable, Table<Row, string>>

  return db.transaction('rw', [...Object.values(tables), db.outbox, db.meta], async () => {
    const stored = await storedClient(db)
    let clientId = stored.clientId
    let acked = page.lastMutationIds[clientId] ?? 0
    if (acked < stored.acked || acked > stored.issued) {
      // Below: the server forgot mutations it had acknowledged (restored from a backup). Above:
      // it counts mutations this device's store no longer knows it issued (the store was
      // restored from an older copy), so it would skip the device's next ones as replays: work
      // done since the restore would be lost. Either way, re-key this client and replay what is
      // still queued from 1, since the server stops at gaps. In the second case the queue may
      // hold mutations the server applied before the copy was made: creations and time entries
      // are idempotent by id, but an edit or a status change is applied again (the server keeps
      // what an edit overwrites, see conflicts). Which entries those are cannot be told apart
      // from work done since; replaying is the side that loses nothing.
      clientId = await rekeyClient(db)
      acked = 0
    }
    const outbox = await db.outbox.orderBy('mutationId').toArray()
    const unacked = outbox.filter((o) => o.mutationId > acked)
    const pending = new Set(unacked.flatMap(idsOf))
    // A pending void changes its intervention's units too: keep that row local as well.
    const voided = unacked.filter((o) => o.name === 'timeEntry.void.v1').flatMap(idsOf)
    for (const entry of await db.timeEntries.bulkGet(voided))
      if (entry) pending.add(entry.interventionId)
    const isPending = (table: SyncTable, key: string) =>
      (table === 'interventions' || table === 'timeEntries') && pending.has(key)

    if (page.reset) {
      for (const [name, table] of Object.entries(tables) as Array<
        [SyncTable, Table<Row, string>]
      >) {
        if (name === 'interventions' || name === 'timeEntries') {
          await table.filter((row) => !pending.has(String(row['id']))).delete()
        } else {
          await table.clear()
        }
      }
    }

    for (const [name, rows] of collapse(page.ops)) {
      const puts: Row[] = []
      const dels: string[] = []
      for (const [key, value] of rows) {
        if (isPending(name, key)) continue
        if (value === null) dels.push(key)
        else if (name === 'interventions')
          puts.push({
            ...value,
            localSeconds: value['seconds'] ?? 0,
            localUnits: value['units'] ?? 0
          })
        else puts.push(value)
      }
      if (dels.length) await tables[name].bulkDelete(dels)
      // Slices keep each structured-clone burst short, so a first sync of 100k rows does not
      // freeze the UI (measured: ~96 % of one big bulkPut's rate, no task over 50 ms).
      for (let i = 0; i < puts.length; i += BULK_SLICE)
        await tables[name].bulkPut(puts.slice(i, i + BULK_SLICE))
    }

    // Refusals of mutations still in the outbox (a rejection seen again after a reset is old news):
    // a refused creation removes the row it made here. A refused change to an existing row needs
    // nothing more: the server re-sends that row with a new version, and it is no longer pending.
    const touched = new Set<string>()
    let rejected = 0
    for (const op of page.ops) {
      if (op.table !== 'rejections' || op.op !== 'put') continue
      const rejection = op.value as unknown as RejectionRow
      if (rejection.clientId !== clientId) continue
      const entry = outbox.find((o) => o.mutationId === rejection.mutationId)
      if (!entry) continue
      rejected++
      const createdIn = CREATES[entry.name]
      const id = (entry.args as { id?: string }).id
      if (!createdIn || !id) continue
      const local = (await db[createdIn].get(id)) as
        { version: number; interventionId?: string } | undefined
      if (local && local.version === 0) {
        await db[createdIn].delete(id)
        touched.add(local.interventionId ?? id)
      }
    }
    for (const id of touched) {
      const row = await db.interventions.get(id)
      if (row) await refreshLocalUnits(db, row)
    }

    if (!page.more) await db.outbox.where('mutationId').belowOrEqual(acked).delete()
    await db.meta.bulkPut([
      { key: 'cookie', value: page.cookie },
      { key: 'ackedMutationId', value: acked },
      { key: 'lastSyncAt', value: new Date().toISOString() }
    ])
    return { ops: page.ops.length, acked, rejected }
  })
}
