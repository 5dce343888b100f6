import type { SyncTable } from '../../../src/shared/sync/protocol'
import { balanceState } from './recompute'

/**
 * How each synced table is read for pulls: its SQL table, key column, scope column, the SELECT
 * list and the mapping of a row to the wire value the client stores (entity schema fields plus
 * `version`). Optional fields are omitted rather than sent as null where the shared schemas say
 * "optional" but not "nullable".
 */
type Row = Record<string, unknown>

export interface TableSpec {
  table: SyncTable
  sql: string
  key: string
  /** Column holding the municipality, for technicians' scope; null for rejections. */
  scopeColumn: string | null
  /** FROM clause (with joins when the wire value needs another table). */
  from: string
  select: string
  toWire(row: Row, nowMs: number): Record<string, unknown>
}

/**
 * A UTC timestamp as PostgreSQL prints it with DateStyle ISO (which every connection sets, see
 * pg-db.ts; PGlite's default): 'YYYY-MM-DD HH:MM:SS[.ffffff][ BC]'.
 */
const UTC_TEXT = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?( BC)?$/

const isDigit = (code: number): boolean => code >= 48 && code <= 57

/** toISOString's form of a UTC timestamp read as text (see utc), without a Date in between. */
export function isoFromUtcText(text: string): string {
  // The usual 'YYYY-MM-DD HH:MM:SS[.f-ffffff]', read by position (a page holds hundreds of
  // thousands): a 4-digit year, then an optional fraction ending in a digit (not ' BC').
  const n = text.length
  if (
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(10) === 32 &&
    (n === 19 || (n >= 21 && n <= 26 && text.charCodeAt(19) === 46)) &&
    isDigit(text.charCodeAt(n - 1))
  ) {
    const ms = n === 19 ? '000' : n >= 23 ? text.slice(20, 23) : text.slice(20).padEnd(3, '0')
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`
  }
  const m = UTC_TEXT.exec(text)
  if (!m) throw new Error(`Unexpected timestamp text from the database: ${text.slice(0, 40)}`)
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3)
  if (m[1]?.length === 4 && !m[8]) return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`
  // Years past 9999 or before year 1: toISOString's extended years.
  const d = new Date(0)
  const year = Number(m[1])
  d.setUTCFullYear(m[8] ? 1 - year : year, Number(m[2]) - 1, Number(m[3]))
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number(ms))
  return d.toISOString()
}

const iso = (value: unknown): string | null =>
  value instanceof Date
    ? value.toISOString()
    : typeof value === 'string'
      ? isoFromUtcText(value)
      : null

/**
 * A timestamptz column read as UTC text for iso(): a page holds thousands of instants, and
 * parsing each into a Date only to print it again was a third of a page's time.
 */
const utc = (column: string): string => `(x.${column} AT TIME ZONE 'UTC')::text AS ${column}`

/** A SELECT list of plain columns and UTC-text instants (utc), in this order. */
const columns = (plain: string[], instants: string[]): string =>
  [...plain.map((c) => `x.${c}`), ...instants.map(utc)].join(', ')

/**
 * Sets an optional wire field when its value is neither null nor undefined; the specs call it
 * after building the fixed fields. One by one, not spread from a temporary object: this runs per
 * row, and the spread made each page's objects about 1.5x slower to build and stringify.
 */
function optional(wire: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== null && value !== undefined) wire[key] = value
}

export const TABLE_SPECS: readonly TableSpec[] = [
  {
    table: 'collectivites',
    sql: 'collectivites',
    key: 'id',
    scopeColumn: 'id',
    from: 'collectivites x',
    select: 'x.*',
    toWire: (r) => {
      const wire: Record<string, unknown> = { id: r.id, name: r.name, version: r.version }
      optional(wire, 'insee', r.insee)
      optional(wire, 'demo', r.demo ? true : undefined)
      return wire
    }
  },
  {
    table: 'conventions',
    sql: 'conventions',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'conventions x',
    select: 'x.*',
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        collectiviteId: r.collectivite_id,
        number: r.number,
        signedOn: r.signed_on,
        startsOn: r.starts_on,
        endsOn: r.ends_on,
        unitsPurchased: r.units_purchased,
        policy: r.policy,
        terminatedOn: r.terminated_on ?? null,
        version: r.version
      }
      optional(wire, 'costEuros', r.cost_euros)
      optional(wire, 'inventoryConventionNumber', r.inventory_convention_number)
      optional(wire, 'demo', r.demo ? true : undefined)
      return wire
    }
  },
  {
    table: 'sites',
    sql: 'sites',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'sites x',
    select: 'x.*',
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        collectiviteId: r.collectivite_id,
        name: r.name,
        version: r.version
      }
      optional(wire, 'address', r.address)
      return wire
    }
  },
  {
    table: 'assets',
    sql: 'assets',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'assets x',
    select: 'x.*',
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        collectiviteId: r.collectivite_id,
        siteId: r.site_id ?? null,
        name: r.name,
        category: r.category,
        critical: r.critical,
        version: r.version
      }
      optional(wire, 'os', r.os)
      optional(wire, 'addresses', r.addresses)
      optional(wire, 'notes', r.notes)
      return wire
    }
  },
  {
    table: 'interventions',
    sql: 'interventions',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'interventions x',
    select: columns(
      [
        'id',
        'collectivite_id',
        'convention_id',
        'kind',
        'origin',
        'priority',
        'status',
        'title',
        'description',
        'site_id',
        'asset_ids',
        'scheduled_for',
        'resolution',
        'notes',
        'created_by',
        'seconds',
        'units',
        'version',
        'deleted_at'
      ],
      ['created_at', 'updated_at']
    ),
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        collectiviteId: r.collectivite_id,
        conventionId: r.convention_id,
        kind: r.kind,
        origin: r.origin,
        priority: r.priority,
        status: r.status,
        title: r.title,
        description: r.description,
        siteId: r.site_id ?? null,
        assetIds: r.asset_ids,
        scheduledFor: r.scheduled_for ?? null,
        createdBy: r.created_by,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        seconds: r.seconds,
        units: r.units,
        version: r.version
      }
      optional(wire, 'resolution', r.resolution)
      optional(wire, 'notes', r.notes)
      return wire
    }
  },
  {
    table: 'timeEntries',
    sql: 'time_entries',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'time_entries x',
    select: columns(
      [
        'id',
        'intervention_id',
        'technician_id',
        'mode',
        'source',
        'asset_id',
        'note',
        'void_reason',
        'future_dated',
        'version',
        'deleted_at'
      ],
      ['started_at', 'ended_at', 'created_at', 'voided_at', 'received_at']
    ),
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        interventionId: r.intervention_id,
        technicianId: r.technician_id,
        startedAt: iso(r.started_at),
        endedAt: iso(r.ended_at),
        mode: r.mode,
        source: r.source,
        assetId: r.asset_id ?? null,
        createdAt: iso(r.created_at),
        voidedAt: iso(r.voided_at),
        voidReason: r.void_reason ?? null,
        receivedAt: iso(r.received_at),
        futureDated: r.future_dated,
        version: r.version
      }
      optional(wire, 'note', r.note)
      return wire
    }
  },
  {
    table: 'balances',
    sql: 'balances',
    key: 'convention_id',
    scopeColumn: 'collectivite_id',
    from: 'balances x JOIN conventions c ON c.id = x.convention_id',
    select: 'x.*, c.starts_on, c.ends_on, c.terminated_on',
    toWire: (r, nowMs) => ({
      conventionId: r.convention_id,
      unitsPurchased: r.units_purchased,
      unitsConsumed: r.units_consumed,
      state: balanceState(
        r as {
          units_purchased: number
          units_consumed: number
          starts_on: string
          ends_on: string
          terminated_on: string | null
        },
        nowMs
      ),
      version: r.version
    })
  },
  {
    table: 'rejections',
    sql: 'rejections',
    key: 'id',
    scopeColumn: null,
    from: 'rejections x',
    select: columns(
      ['id', 'client_id', 'mutation_id', 'name', 'code', 'reason', 'version', 'deleted_at'],
      ['rejected_at']
    ),
    toWire: (r) => ({
      id: r.id,
      clientId: r.client_id,
      mutationId: r.mutation_id,
      name: r.name,
      code: r.code,
      reason: r.reason,
      rejectedAt: iso(r.rejected_at),
      version: r.version
    })
  },
  {
    table: 'remoteSessions',
    sql: 'remote_sessions',
    key: 'id',
    scopeColumn: 'collectivite_id',
    from: 'remote_sessions x',
    select: columns(
      [
        'id',
        'asset_id',
        'intervention_id',
        'technician_id',
        'protocol',
        'outcome',
        'detail',
        'version',
        'deleted_at'
      ],
      ['started_at', 'ended_at']
    ),
    toWire: (r) => {
      const wire: Record<string, unknown> = {
        id: r.id,
        assetId: r.asset_id,
        interventionId: r.intervention_id ?? null,
        technicianId: r.technician_id,
        protocol: r.protocol,
        startedAt: iso(r.started_at),
        endedAt: iso(r.ended_at),
        outcome: r.outcome,
        version: r.version
      }
      optional(wire, 'detail', r.detail)
      return wire
    }
  }
]
