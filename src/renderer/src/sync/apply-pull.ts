import type { PullResponse, RejectionRow, SyncTable } from '../../../shared/sync/protocol'
import type { Table } from 'dexie'
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

export interface ApplyResult {
  ops: number
  acked: number
  rejected: number
}

/**
 * Applies one pull page, its cookie and the acknowledgement in ONE transaction: a crash mid-pull
 * resumes from the last applied page, never from a cookie ahead of its rows.
 *
 * Rows with outbox mutations the server has not acknowledged yet keep their local state (the
 * server's copy predates them); the next pull after the push brings the merged row.
 */
export async function applyPullPage(
  db: CarnetDb,
  clientId: string,
  page: PullResponse
): Promise<ApplyResult> {
  const tables = [
    db.collectivites,
    db.conventions,
    db.sites,
    db.assets,
    db.interventions,
    db.timeEntries,
    db.balances,
    db.rejections,
    db.outbox,
    db.meta
  ]
  return db.transaction('rw', tables, async () => {
    const acked = page.lastMutationIds[clientId] ?? 0
    const outbox = await db.outbox.orderBy('mutationId').toArray()
    const pending = new Set(outbox.filter((o) => o.mutationId > acked).flatMap(idsOf))
    // Rows arrive as plain records; each table's own type is restored by its readers.
    const byTable = {
      collectivites: db.collectivites,
      conventions: db.conventions,
      sites: db.sites,
      assets: db.assets,
      interventions: db.interventions,
      timeEntries: db.timeEntries,
      balances: db.balances,
      rejections: db.rejections
    } as unknown as Record<SyncTable, Table<Record<string, unknown>, string>>

    if (page.reset) {
      for (const name of Object.keys(byTable) as SyncTable[]) {
        if (name === 'interventions' || name === 'timeEntries') {
          await byTable[name].filter((row) => !pending.has(String(row['id']))).delete()
        } else {
          await byTable[name].clear()
        }
      }
    }

    const touched = new Set<string>()
    let rejected = 0
    let forceReset = false
    for (const op of page.ops) {
      const table = byTable[op.table]
      if (!table) continue
      if ((op.table === 'interventions' || op.table === 'timeEntries') && pending.has(op.key))
        continue
      if (op.op === 'del') {
        await table.delete(op.key)
        continue
      }
      if (op.table === 'interventions') {
        await db.interventions.put({ localSeconds: 0, localUnits: 0, ...op.value } as never)
        touched.add(op.key)
      } else {
        await table.put(op.value as never)
        if (op.table === 'timeEntries') touched.add(String(op.value['interventionId']))
      }
      if (op.table === 'rejections') {
        const rejection = op.value as unknown as RejectionRow
        if (rejection.clientId !== clientId) continue
        rejected++
        const entry = outbox.find((o) => o.mutationId === rejection.mutationId)
        const createdIn = entry ? CREATES[entry.name] : undefined
        const id = entry ? (entry.args as { id?: string }).id : undefined
        if (createdIn && id) {
          const local = (await db[createdIn].get(id)) as
            { version: number; interventionId?: string } | undefined
          if (local && local.version === 0) {
            await db[createdIn].delete(id)
            touched.add(local.interventionId ?? id)
          }
        } else {
          // A refused change to an existing row: rebuild the local copy from the server's.
          forceReset = true
        }
      }
    }

    for (const id of touched) {
      const row = await db.interventions.get(id)
      if (row) await refreshLocalUnits(db, row)
    }
    await db.outbox.where('mutationId').belowOrEqual(acked).delete()
    await db.meta.bulkPut([
      { key: 'cookie', value: forceReset ? null : page.cookie },
      { key: 'ackedMutationId', value: acked },
      { key: 'lastSyncAt', value: new Date().toISOString() }
    ])
    return { ops: page.ops.length, acked, rejected }
  })
}
