import { z } from 'zod'
import { isoInstantSchema, safeText, uuidSchema } from '../domain/entities'

/**
 * Wire types of the sync protocol (`../shared/design/sync.md`, a fixed product interface), shared
 * by the server and the client. Requests are strict: unknown keys are rejected with a 400.
 */
export const PROTOCOL_VERSION = 1
/** Bumped when the shape of synced rows changes; a client on another version gets a reset. */
export const SCHEMA_VERSION = 1
export const MAX_PUSH_MUTATIONS = 200
export const PULL_PAGE_SIZE = 2000

export const SYNC_TABLES = [
  'collectivites',
  'conventions',
  'sites',
  'assets',
  'interventions',
  'timeEntries',
  'balances',
  'rejections',
  'remoteSessions'
] as const
export type SyncTable = (typeof SYNC_TABLES)[number]

export const pushMutationSchema = z.strictObject({
  id: z.int().min(1),
  name: safeText().min(1).max(100),
  args: z.unknown(),
  clientTime: isoInstantSchema
})

export const pushRequestSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  schemaVersion: z.int().min(1),
  clientGroupId: uuidSchema,
  clientId: uuidSchema,
  mutations: z.array(pushMutationSchema).max(MAX_PUSH_MUTATIONS)
})
export type PushRequest = z.infer<typeof pushRequestSchema>
export type PushMutation = z.infer<typeof pushMutationSchema>

export interface PushResponse {
  lastMutationId: number
}

export const pullRequestSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  schemaVersion: z.int().min(1),
  clientGroupId: uuidSchema,
  cookie: z.string().max(500).nullable()
})
export type PullRequest = z.infer<typeof pullRequestSchema>

export type PullOp =
  | { op: 'put'; table: SyncTable; key: string; value: Record<string, unknown> }
  | { op: 'del'; table: SyncTable; key: string }

export interface PullResponse {
  cookie: string
  reset: boolean
  more: boolean
  lastMutationIds: Record<string, number>
  ops: PullOp[]
}

/** A mutation the server recorded as impossible; visible in pulls (`rejections` table). */
export interface RejectionRow {
  /** `${clientId}:${mutationId}` */
  id: string
  clientId: string
  mutationId: number
  name: string
  code: string
  reason: string
  rejectedAt: string
  version: number
}

/** Server-side balance per agreement (key: conventionId). */
export interface BalanceWire {
  conventionId: string
  unitsPurchased: number
  unitsConsumed: number
  state: 'active' | 'low' | 'exhausted' | 'expired' | 'terminated'
  version: number
}

export const loginRequestSchema = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
  deviceName: safeText().trim().min(1).max(200)
})
export const refreshRequestSchema = z.strictObject({ refreshToken: z.string().min(1).max(500) })

export type Role = 'technician' | 'lead'

export interface LoginResponse {
  deviceId: string
  accessToken: string
  accessTokenExpiresAt: string
  refreshToken: string
  technician: { id: string; name: string; role: Role }
}

/** Every 4xx/5xx body. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> }
}
