// Test support (not shipped code paths): a handler map that records every call, for the IPC
// tests that check what reaches a handler and what never does.
import { INVOKE_CHANNELS, type InvokeName, type ResultOf } from '../../shared/ipc'
import type { Handlers } from './dispatch'

const started = { sessionId: 's1', startedAt: '2026-11-27T09:00:00.000Z' }
const signedOut = {
  signedIn: false,
  serverUrl: null,
  technician: null,
  keystore: 'development-file'
} as const
const vault = {
  keystore: 'development-file',
  backend: 'development',
  insecure: false,
  riskAccepted: false
} as const

/** One plausible answer per channel; tests assert calls and envelopes, not these values. */
export const CANNED_RESULTS: { [K in InvokeName]: ResultOf<K> } = {
  appInfo: {
    name: 'Carnet',
    version: '1.0.0',
    host: 'browser',
    platform: 'linux',
    dataDir: '/d',
    logFile: '/d/l'
  },
  writeLog: null,
  openExternal: { opened: true },
  authStatus: signedOut,
  authLogin: { ...signedOut, signedIn: true, serverUrl: 'https://s' },
  authLogout: null,
  syncPush: { lastMutationId: 0 },
  syncPull: { cookie: 'c', reset: false, more: false, lastMutationIds: {}, ops: [] },
  vaultStatus: vault,
  vaultAcceptRisk: vault,
  credentialSave: { credentialRef: 'ref-1' },
  credentialDelete: null,
  remoteLaunch: started,
  remoteEnd: null,
  sshOpen: started,
  sshWrite: null,
  sshResize: null,
  sshHostKeyAnswer: null
}

export type Call = { name: InvokeName; args: unknown }

/** Every channel records `{ name, args }` into `calls`; `overrides` replace some handlers. */
export function recordingHandlers(calls: Call[], overrides: Partial<Handlers> = {}): Handlers {
  const handlers: Record<string, unknown> = {}
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[]) {
    handlers[name] = (args: unknown) => {
      calls.push({ name, args })
      return CANNED_RESULTS[name]
    }
  }
  return { ...(handlers as Handlers), ...overrides }
}
