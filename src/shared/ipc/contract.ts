import { z } from 'zod'
import {
  pullRequestSchema,
  pushRequestSchema,
  type LoginResponse,
  type PullResponse,
  type PushResponse
} from '../sync/protocol'
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
  syncPull: channel<PullResponse>()(z.strictObject({ request: pullRequestSchema }))
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
