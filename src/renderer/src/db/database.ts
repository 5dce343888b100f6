import Dexie, { type EntityTable } from 'dexie'
import type { RejectionRow } from '../../../shared/sync/protocol'
import type {
  AssetRow,
  BalanceRow,
  CollectiviteRow,
  ConventionRow,
  InterventionRow,
  MetaRow,
  OutboxRow,
  RemoteProfileRow,
  RemoteSessionRow,
  SiteRow,
  TimeEntryRow,
  TimerRow
} from './rows'

export const DB_NAME = 'carnet'

/**
 * The local store. Strict durability: a write the UI reports as done has reached disk, which
 * matters more here than throughput (security.md item 15). Schema changes add a new
 * `version(n)` below with an upgrade function; never edit an existing one.
 */
export class CarnetDb extends Dexie {
  collectivites!: EntityTable<CollectiviteRow, 'id'>
  conventions!: EntityTable<ConventionRow, 'id'>
  sites!: EntityTable<SiteRow, 'id'>
  assets!: EntityTable<AssetRow, 'id'>
  interventions!: EntityTable<InterventionRow, 'id'>
  timeEntries!: EntityTable<TimeEntryRow, 'id'>
  balances!: EntityTable<BalanceRow, 'conventionId'>
  timers!: EntityTable<TimerRow, 'technicianId'>
  outbox!: EntityTable<OutboxRow, 'mutationId'>
  meta!: EntityTable<MetaRow, 'key'>
  rejections!: EntityTable<RejectionRow, 'id'>
  remoteProfiles!: EntityTable<RemoteProfileRow, 'id'>
  remoteSessions!: EntityTable<RemoteSessionRow, 'id'>

  constructor(name = DB_NAME, options: ConstructorParameters<typeof Dexie>[1] = {}) {
    // `immutable`: live queries hand out frozen results instead of deep-copying 50k rows each time.
    super(name, { chromeTransactionDurability: 'strict', cache: 'immutable', ...options })
    this.version(1).stores({
      collectivites: 'id, name',
      conventions: 'id, collectiviteId',
      sites: 'id, collectiviteId',
      assets: 'id, collectiviteId, siteId',
      interventions: 'id, conventionId, collectiviteId, updatedAt',
      timeEntries: 'id, interventionId',
      balances: 'conventionId',
      timers: 'technicianId',
      outbox: 'mutationId',
      meta: 'key'
    })
    // v2: server rejections, shown with their reasons until the technician dismisses them.
    this.version(2).stores({ rejections: 'id, mutationId' })
    // v3: remote-access profiles of assets (local to this laptop; secrets stay in the main
    // process's vault) and the synced log of remote sessions.
    this.version(3).stores({
      remoteProfiles: 'id, assetId',
      remoteSessions: 'id, assetId, interventionId'
    })
  }
}
