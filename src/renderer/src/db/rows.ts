import type {
  Asset,
  Collectivite,
  Convention,
  Intervention,
  Site,
  TimeEntry,
  TimeEntryMode
} from '../../../shared/domain'
import type { MutationName } from '../../../shared/sync/mutations'

/** Synced rows carry the server version they were last seen at (0: never synced). */
export interface Versioned {
  version: number
}

export type CollectiviteRow = Collectivite & Versioned
export type ConventionRow = Convention & Versioned
export type SiteRow = Site & Versioned
export type AssetRow = Asset & Versioned
export type TimeEntryRow = TimeEntry & Versioned

/**
 * `seconds`/`units` are the server's figures; `localSeconds`/`localUnits` are recomputed on this
 * device with the same shared `unitsFor` in the transaction that changes an entry, so the list and
 * the balance never have to scan time entries.
 */
export type InterventionRow = Intervention &
  Versioned & { localSeconds: number; localUnits: number }

/** Per agreement, as the server reports it. */
export interface BalanceRow extends Versioned {
  conventionId: string
  unitsPurchased: number
  unitsConsumed: number
}

/**
 * The technician's single timer, stored as timestamps: a crash, reload or sleep cannot lose or
 * invent time. `segmentStartedAt` is null while paused. `lastSeenAt` is a heartbeat that reveals
 * gaps (laptop asleep, app closed) on return.
 */
export interface TimerRow {
  technicianId: string
  interventionId: string
  mode: TimeEntryMode
  state: 'running' | 'paused'
  segmentStartedAt: string | null
  lastSeenAt: string
}

export interface OutboxRow {
  mutationId: number
  name: MutationName
  args: unknown
  clientTime: string
}

export interface MetaRow {
  key: string
  value: unknown
}

/** How to reach an asset remotely; `credentialRef` points into the main process's vault. */
export interface RemoteProfileRow {
  id: string
  assetId: string
  protocol: 'rdp' | 'ssh' | 'vnc' | 'web' | 'anydesk' | 'rustdesk' | 'teamviewer'
  label: string
  host: string
  port?: number
  username?: string
  domain?: string
  remoteId?: string
  url?: string
  options?: Record<string, unknown>
  credentialRef?: string | null
}

/** One remote-control session, as logged (and synced through `remoteSession.log.v1`). */
export interface RemoteSessionRow extends Versioned {
  id: string
  assetId: string
  interventionId?: string | null
  technicianId: string
  protocol: RemoteProfileRow['protocol']
  startedAt: string
  endedAt: string
  outcome: 'ended' | 'failed' | 'cancelled'
  detail?: string
}
