import type { AuthContext } from '../auth/sessions'
import type { ServerConfig } from '../config'
import type { Tx } from '../db/db'
import type { VersionAllocator } from './versions'

/** What one mutation handler gets: the open transaction, the caller and the push's version. */
export interface MutationContext {
  tx: Tx
  auth: AuthContext
  config: ServerConfig
  versions: VersionAllocator
  /** The client's clock when it queued the mutation: data, never used for ordering. */
  clientTime: string
  /** Server arrival time. */
  now: Date
  /** Municipalities whose rows this push changed, for SSE pokes. */
  touched: Set<string>
  /**
   * Interventions whose time entries this mutation changed: their units (and their agreements'
   * balances) are recomputed once per push, before commit, if the mutation is applied.
   */
  dirty: Set<string>
}
