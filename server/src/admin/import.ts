import { secondsFor, unitsFor } from '../../../src/shared/domain'
import type { DemoData } from '../../../src/shared/demo/demo-data'
import type { Tx } from '../db/db'
import { bulkInsert } from './bulk'

/**
 * Imports a whole data set (seed-demo, tests, benchmarks) in the caller's transaction, every row
 * with the same version, existing ids left alone. Units are recomputed here with the shared code
 * rather than taken from the data; the data's extra consumption (work done before Carnet) becomes
 * the balance's audited adjustment.
 */
export async function importData(tx: Tx, data: DemoData, version: number): Promise<void> {
  await bulkInsert(
    tx,
    'collectivites',
    [
      ['id', 'uuid'],
      ['name', 'text'],
      ['insee', 'text'],
      ['demo', 'boolean'],
      ['version', 'bigint']
    ],
    data.collectivites.map((c) => ({ ...c, demo: c.demo ?? false, version }))
  )
  await bulkInsert(
    tx,
    'conventions',
    [
      ['id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['number', 'text'],
      ['signed_on', 'date'],
      ['starts_on', 'date'],
      ['ends_on', 'date'],
      ['units_purchased', 'int'],
      ['policy', 'jsonb'],
      ['terminated_on', 'date'],
      ['demo', 'boolean'],
      ['version', 'bigint']
    ],
    data.conventions.map((c) => ({
      id: c.id,
      collectivite_id: c.collectiviteId,
      number: c.number,
      signed_on: c.signedOn,
      starts_on: c.startsOn,
      ends_on: c.endsOn,
      units_purchased: c.unitsPurchased,
      policy: c.policy,
      terminated_on: c.terminatedOn ?? null,
      demo: c.demo ?? false,
      version
    }))
  )
  await bulkInsert(
    tx,
    'sites',
    [
      ['id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['name', 'text'],
      ['address', 'text'],
      ['version', 'bigint']
    ],
    data.sites.map((s) => ({
      id: s.id,
      collectivite_id: s.collectiviteId,
      name: s.name,
      address: s.address ?? null,
      version
    }))
  )
  await bulkInsert(
    tx,
    'assets',
    [
      ['id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['site_id', 'uuid'],
      ['name', 'text'],
      ['category', 'text'],
      ['critical', 'boolean'],
      ['os', 'text'],
      ['addresses', 'jsonb'],
      ['notes', 'text'],
      ['version', 'bigint']
    ],
    data.assets.map((a) => ({
      id: a.id,
      collectivite_id: a.collectiviteId,
      site_id: a.siteId ?? null,
      name: a.name,
      category: a.category,
      critical: a.critical,
      os: a.os ?? null,
      addresses: a.addresses ?? null,
      notes: a.notes ?? null,
      version
    }))
  )

  const policies = new Map(data.conventions.map((c) => [c.id, c.policy]))
  const entriesOf = new Map<string, DemoData['timeEntries']>()
  for (const e of data.timeEntries) {
    if (e.voidedAt) continue
    const list = entriesOf.get(e.interventionId) ?? []
    list.push(e)
    entriesOf.set(e.interventionId, list)
  }
  const collectiviteOf = new Map<string, string>()
  const interventions = data.interventions.map((i) => {
    collectiviteOf.set(i.id, i.collectiviteId)
    const entries = entriesOf.get(i.id) ?? []
    const policy = policies.get(i.conventionId) ?? { scope: 'intervention' as const }
    return {
      id: i.id,
      collectivite_id: i.collectiviteId,
      convention_id: i.conventionId,
      kind: i.kind,
      origin: i.origin,
      priority: i.priority,
      status: i.status,
      title: i.title,
      description: i.description,
      site_id: i.siteId ?? null,
      asset_ids: i.assetIds,
      scheduled_for: i.scheduledFor ?? null,
      resolution: i.resolution ?? null,
      notes: i.notes ?? null,
      created_by: i.createdBy,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      seconds: secondsFor(entries),
      units: unitsFor(entries, policy),
      version
    }
  })
  await bulkInsert(
    tx,
    'interventions',
    [
      ['id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['convention_id', 'uuid'],
      ['kind', 'text'],
      ['origin', 'text'],
      ['priority', 'text'],
      ['status', 'text'],
      ['title', 'text'],
      ['description', 'text'],
      ['site_id', 'uuid'],
      ['asset_ids', 'jsonb'],
      ['scheduled_for', 'date'],
      ['resolution', 'text'],
      ['notes', 'text'],
      ['created_by', 'text'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
      ['seconds', 'double precision'],
      ['units', 'int'],
      ['version', 'bigint']
    ],
    interventions
  )
  await bulkInsert(
    tx,
    'time_entries',
    [
      ['id', 'uuid'],
      ['intervention_id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['technician_id', 'text'],
      ['started_at', 'timestamptz'],
      ['ended_at', 'timestamptz'],
      ['mode', 'text'],
      ['source', 'text'],
      ['asset_id', 'uuid'],
      ['note', 'text'],
      ['created_at', 'timestamptz'],
      ['received_at', 'timestamptz'],
      ['voided_at', 'timestamptz'],
      ['void_reason', 'text'],
      ['version', 'bigint']
    ],
    data.timeEntries.map((e) => ({
      id: e.id,
      intervention_id: e.interventionId,
      collectivite_id: collectiviteOf.get(e.interventionId),
      technician_id: e.technicianId,
      started_at: e.startedAt,
      ended_at: e.endedAt,
      mode: e.mode,
      source: e.source,
      asset_id: e.assetId ?? null,
      note: e.note ?? null,
      created_at: e.createdAt,
      received_at: e.createdAt,
      voided_at: e.voidedAt ?? null,
      void_reason: e.voidReason ?? null,
      version
    }))
  )

  const unitsPerConvention = new Map<string, number>()
  for (const i of interventions)
    unitsPerConvention.set(
      i.convention_id,
      (unitsPerConvention.get(i.convention_id) ?? 0) + i.units
    )
  await bulkInsert(
    tx,
    'balances',
    [
      ['convention_id', 'uuid'],
      ['collectivite_id', 'uuid'],
      ['units_purchased', 'int'],
      ['units_consumed', 'int'],
      ['units_adjustment', 'int'],
      ['version', 'bigint']
    ],
    data.balances.map((b) => {
      const computed = unitsPerConvention.get(b.conventionId) ?? 0
      const adjustment = Math.max(0, b.unitsConsumed - computed)
      const convention = data.conventions.find((c) => c.id === b.conventionId)
      return {
        convention_id: b.conventionId,
        collectivite_id: convention?.collectiviteId,
        units_purchased: b.unitsPurchased,
        units_consumed: computed + adjustment,
        units_adjustment: adjustment,
        version
      }
    }),
    'convention_id'
  )
  // Fresh statistics now, rather than whenever autovacuum notices (PGlite has none): planned on
  // the empty tables' figures, the first pulls and pushes would scan instead of using indexes.
  await tx.query(
    'ANALYZE collectivites, conventions, sites, assets, interventions, time_entries, balances'
  )
}
