import { z } from 'zod'
import {
  pullRequestSchema,
  pushRequestSchema,
  type LoginResponse,
  type PullResponse,
  type PushResponse
} from '../sync/protocol'
import { remoteProfileSchema, type RemoteProtocol } from '../remote/remote-profile'
import type { Envelope } from './envelope'
import type { EVENT_CHANNELS, EventName, INVOKE_CHANNELS, InvokeName } from './channels'

/**
 * The IPC contract: one declaration per channel (argument schema + result type). The preload,
 * the main-process registration helper, the browser host and the renderer's `lib/api.ts` all
 * derive their types from this object.
 */
export interface ChannelSpec<A extends z.ZodType, R> {
  args: A
  /** Phantom: carries the result type only. */
  result?: R
}

function channel<R>() {
  return <A extends z.ZodType>(args: A): ChannelSpec<A, R> => ({ args })
}

export interface AppInfo {
  name: string
  version: string
  /** Which shell runs the renderer: the Electron app or the development browser host. */
  host: 'electron' | 'browser'
  platform: string
  dataDir: string
  logFile: string
}

/** Whether this device holds a server session; the tokens themselves never leave main. */
export interface AuthStatus {
  signedIn: boolean
  serverUrl: string | null
  technician: LoginResponse['technician'] | null
  keystore: 'os-keyring' | 'development-file'
}

const noArgs = z.strictObject({})
const sessionIdSchema = z.string().min(1).max(100)
const credentialRefSchema = z.string().min(1).max(128)

/** How secrets are protected on this laptop (settings page). */
export interface VaultStatus {
  keystore: 'os-keyring' | 'development-file'
  backend: string
  insecure: boolean
  riskAccepted: boolean
}

export interface RemoteSessionStarted {
  sessionId: string
  startedAt: string
}

export interface RemoteSessionEnded {
  sessionId: string
  protocol: RemoteProtocol
  startedAt: string
  endedAt: string
  outcome: 'ended' | 'failed' | 'cancelled'
  /** Technician-readable reason when the session failed (client missing, refused login...). */
  detail?: string
  code?: string
}

export const contract = {
  appInfo: channel<AppInfo>()(noArgs),
  writeLog: channel<null>()(
    z.strictObject({
      level: z.enum(['info', 'warn', 'error']),
      message: z.string().min(1).max(4000),
      context: z
        .record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
        .optional()
    })
  ),
  openExternal: channel<{ opened: boolean }>()(z.strictObject({ url: z.string().max(2048) })),
  authStatus: channel<AuthStatus>()(noArgs),
  authLogin: channel<AuthStatus>()(
    z.strictObject({
      serverUrl: z.string().min(1).max(2048),
      email: z.string().min(3).max(320),
      password: z.string().min(1).max(1024),
      deviceName: z.string().trim().min(1).max(200)
    })
  ),
  authLogout: channel<null>()(noArgs),
  syncPush: channel<PushResponse>()(z.strictObject({ request: pushRequestSchema })),
  syncPull: channel<PullResponse>()(z.strictObject({ request: pullRequestSchema })),
  vaultStatus: channel<VaultStatus>()(noArgs),
  vaultAcceptRisk: channel<VaultStatus>()(z.strictObject({ accept: z.boolean() })),
  // Remote access. A secret goes in once and only an opaque reference comes back.
  credentialSave: channel<{ credentialRef: string }>()(
    z.strictObject({ secret: z.string().min(1).max(65536), label: z.string().max(200) })
  ),
  credentialDelete: channel<null>()(z.strictObject({ credentialRef: credentialRefSchema })),
  remoteLaunch: channel<RemoteSessionStarted>()(
    z.strictObject({ profile: remoteProfileSchema, label: z.string().max(200) })
  ),
  remoteEnd: channel<null>()(z.strictObject({ sessionId: sessionIdSchema })),
  sshOpen: channel<RemoteSessionStarted>()(
    z.strictObject({
      profile: remoteProfileSchema,
      label: z.string().max(200),
      cols: z.int().min(10).max(1000),
      rows: z.int().min(5).max(500)
    })
  ),
  sshWrite: channel<null>()(
    z.strictObject({ sessionId: sessionIdSchema, data: z.string().max(65536) })
  ),
  sshResize: channel<null>()(
    z.strictObject({
      sessionId: sessionIdSchema,
      cols: z.int().min(10).max(1000),
      rows: z.int().min(5).max(500)
    })
  ),
  sshHostKeyAnswer: channel<null>()(
    z.strictObject({ promptId: sessionIdSchema, accept: z.boolean() })
  )
} satisfies { [K in InvokeName]: ChannelSpec<z.ZodType, unknown> }

export type Contract = typeof contract
export type ArgsOf<K extends InvokeName> = z.input<Contract[K]['args']>
export type ParsedArgsOf<K extends InvokeName> = z.output<Contract[K]['args']>
export type ResultOf<K extends InvokeName> = Exclude<Contract[K]['result'], undefined>

/** Payloads of the events main pushes. */
export interface EventPayloads {
  powerResume: { at: string }
  /** The server said "pull soon". */
  syncPoke: { at: string }
  remoteSessionEnded: RemoteSessionEnded
  sshData: { sessionId: string; data: string }
  sshHostKeyPrompt: {
    promptId: string
    host: string
    port: number
    fingerprint: string
    keyType: string
  }
}
// A compile error here means EVENT_CHANNELS and EventPayloads drifted apart.
const _eventsCheck: { [K in EventName]: EventPayloads[K] } extends EventPayloads ? true : never =
  true
void _eventsCheck

/** What the preload (Electron) or the bridge (browser host) installs as `window.carnet`. */
export type CarnetBridge = {
  [K in InvokeName]: (args: ArgsOf<K>) => Promise<Envelope<ResultOf<K>>>
} & {
  [K in EventName as `on${Capitalize<K>}`]: (
    listener: (payload: EventPayloads[K]) => void
  ) => () => void
}

export type { InvokeName, EventName }
export type InvokeChannels = typeof INVOKE_CHANNELS
export type EventChannels = typeof EVENT_CHANNELS
