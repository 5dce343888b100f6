import { randomUUID } from 'node:crypto'
import { generateDemoData } from '../../src/shared/demo/demo-data'
import type { PushRequest } from '../../src/shared/sync/protocol'
import { createTechnician } from '../src/admin/commands'
import { importData } from '../src/admin/import'
import type { Db } from '../src/db/db'
import { VersionAllocator } from '../src/sync/versions'

/** Everything the benchmarks need from a seeded database. */
export interface Seeded {
  email: string
  password: string
  technicianId: string
  /** Interventions that accept time entries (not signed), for pushes. */
  targets: string[]
  /** Municipality of each intervention (the raw SQL floors write it as the server does). */
  collectiviteOf: Map<string, string>
  /** Rows a lead's first pull must bring, by table. */
  counts: Record<string, number>
  total: number
}

const PASSWORD = 'bench password, loopback only'

/**
 * Seeds `interventions` interventions and exactly `timeEntries` time entries (fictional demo
 * generator, fixed seed) with the admin import helpers, plus one lead account (cheap scrypt).
 */
export async function seedWorld(
  db: Db,
  interventions: number,
  timeEntries: number
): Promise<Seeded> {
  const email = `lead-${randomUUID()}@bench.example`
  const technicianId = await createTechnician(
    db,
    { email, name: 'Bench lead', password: PASSWORD, role: 'lead' },
    10
  )
  const data = generateDemoData({
    today: '2025-06-16',
    interventions,
    // The generator gives entries to non-planned interventions only (~71 %): ask more, cut.
    timeEntries: Math.ceil(timeEntries * 1.6),
    technicianId,
    seed: 20250616
  })
  if (data.timeEntries.length < timeEntries) throw new Error('generator gave too few entries')
  data.timeEntries = data.timeEntries.slice(0, timeEntries)
  await db.transaction(async (tx) => {
    const version = await new VersionAllocator(tx).get()
    await importData(tx, data, version)
  })
  // The statistics autovacuum would gather within a minute of such an import: the figures are
  // those of a server in its steady state, not of the minute after a bulk load.
  await db.query('ANALYZE')
  const counts: Record<string, number> = {}
  for (const table of ['collectivites', 'conventions', 'sites', 'assets', 'balances']) {
    counts[table] = Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.['n'])
  }
  counts['interventions'] = interventions
  counts['timeEntries'] = timeEntries
  const targets = data.interventions.filter((i) => i.status !== 'signed').map((i) => i.id)
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  const collectiviteOf = new Map(data.interventions.map((i) => [i.id, i.collectiviteId]))
  return { email, password: PASSWORD, technicianId, targets, collectiviteOf, counts, total }
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

let entryClock = Date.parse('2025-03-03T07:00:00Z')

/**
 * Valid timeEntry.add.v1 args: 25 min each, on interventions taken round-robin, `perIntervention`
 * consecutive entries on each (1: every entry of a push on its own intervention, the costliest
 * shape for the server, which re-stamps each; a push's last block is short when `n` is not a
 * multiple of it). Entries start a minute apart, so those of one intervention overlap.
 */
export function entryArgs(
  targets: readonly string[],
  n: number,
  offset: number,
  perIntervention = 1
): EntryArgs[] {
  return Array.from({ length: n }, (_, i) => {
    entryClock += 60_000
    const k = Math.floor(offset / perIntervention) + Math.floor(i / perIntervention)
    return {
      id: randomUUID(),
      interventionId: targets[k % targets.length] as string,
      startedAt: new Date(entryClock).toISOString(),
      endedAt: new Date(entryClock + 25 * 60_000).toISOString(),
      mode: 'onSite',
      source: 'manual',
      note: 'banc de charge'
    }
  })
}

/** The client side of one device: its ids and mutation counter. */
export interface ClientIds {
  clientGroupId: string
  clientId: string
  next: number
}

/** A push request of timeEntry.add mutations; advances the device's counter. */
export function pushBody(device: ClientIds, args: EntryArgs[]): PushRequest {
  const clientTime = new Date().toISOString()
  const body: PushRequest = {
    protocolVersion: 1,
    schemaVersion: 1,
    clientGroupId: device.clientGroupId,
    clientId: device.clientId,
    mutations: args.map((a, i) => ({
      id: device.next + i,
      name: 'timeEntry.add.v1',
      args: a,
      clientTime
    }))
  }
  device.next += args.length
  return body
}
