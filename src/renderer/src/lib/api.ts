import type {
  ArgsOf,
  EventName,
  EventPayloads,
  InvokeName,
  ResultOf
} from '../../../shared/ipc/contract'
import type { PullRequest, PushRequest } from '../../../shared/sync/protocol'

/**
 * The only module that touches `window.carnet` (installed by the Electron preload or by the
 * browser host's bridge). Calls unwrap the result envelope: failures become `HostError`s carrying
 * the main process's code.
 */
export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues?: Array<{ path: string; message: string }>
  ) {
    super(message)
    this.name = 'HostError'
  }
}

function bridge() {
  if (typeof window === 'undefined' || !('carnet' in window)) {
    throw new HostError('host.missing', 'Carnet must be opened from the app (or the browser host).')
  }
  return window.carnet
}

export async function call<K extends InvokeName>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
  const fn = bridge()[name] as (args: ArgsOf<K>) => Promise<
    | { ok: true; value: ResultOf<K> }
    | {
        ok: false
        error: { code: string; message: string; issues?: Array<{ path: string; message: string }> }
      }
  >
  const envelope = await fn(args)
  if (envelope.ok) return envelope.value
  throw new HostError(envelope.error.code, envelope.error.message, envelope.error.issues)
}

export function on<K extends EventName>(
  name: K,
  listener: (payload: EventPayloads[K]) => void
): () => void {
  const key = `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as `on${Capitalize<K>}`
  const subscribe = bridge()[key] as (l: (payload: EventPayloads[K]) => void) => () => void
  return subscribe(listener)
}

export const api = {
  appInfo: () => call('appInfo', {}),
  writeLog: (
    level: 'info' | 'warn' | 'error',
    message: string,
    context?: Record<string, string | number | boolean | null>
  ) => call('writeLog', context ? { level, message, context } : { level, message }),
  openExternal: (url: string) => call('openExternal', { url }),
  onPowerResume: (listener: (payload: EventPayloads['powerResume']) => void) =>
    on('powerResume', listener),
  onSyncPoke: (listener: (payload: EventPayloads['syncPoke']) => void) => on('syncPoke', listener),
  authStatus: () => call('authStatus', {}),
  authLogin: (args: ArgsOf<'authLogin'>) => call('authLogin', args),
  authLogout: () => call('authLogout', {}),
  syncPush: (request: PushRequest) => call('syncPush', { request }),
  syncPull: (request: PullRequest) => call('syncPull', { request }),
  vaultStatus: () => call('vaultStatus', {}),
  vaultAcceptRisk: (accept: boolean) => call('vaultAcceptRisk', { accept }),
  credentialSave: (secret: string, label: string) => call('credentialSave', { secret, label }),
  credentialDelete: (credentialRef: string) => call('credentialDelete', { credentialRef }),
  remoteLaunch: (args: ArgsOf<'remoteLaunch'>) => call('remoteLaunch', args),
  remoteEnd: (sessionId: string) => call('remoteEnd', { sessionId }),
  sshOpen: (args: ArgsOf<'sshOpen'>) => call('sshOpen', args),
  sshWrite: (sessionId: string, data: string) => call('sshWrite', { sessionId, data }),
  sshResize: (sessionId: string, cols: number, rows: number) =>
    call('sshResize', { sessionId, cols, rows }),
  sshHostKeyAnswer: (promptId: string, accept: boolean) =>
    call('sshHostKeyAnswer', { promptId, accept }),
  onRemoteSessionEnded: (listener: (payload: EventPayloads['remoteSessionEnded']) => void) =>
    on('remoteSessionEnded', listener),
  onSshData: (listener: (payload: EventPayloads['sshData']) => void) => on('sshData', listener),
  onSshHostKeyPrompt: (listener: (payload: EventPayloads['sshHostKeyPrompt']) => void) =>
    on('sshHostKeyPrompt', listener)
}
