/**
 * Channel names, and nothing else: the sandboxed preload bundles this file, so it must stay free
 * of zod and of any import. `contract.ts` binds a schema and a result type to every name here, and
 * a drift between the two lists fails type-checking.
 */
export const INVOKE_CHANNELS = {
  appInfo: 'carnet:app.info',
  writeLog: 'carnet:log.write',
  openExternal: 'carnet:shell.openExternal',
  authStatus: 'carnet:auth.status',
  authLogin: 'carnet:auth.login',
  authLogout: 'carnet:auth.logout',
  syncPush: 'carnet:sync.push',
  syncPull: 'carnet:sync.pull',
  vaultStatus: 'carnet:vault.status',
  vaultAcceptRisk: 'carnet:vault.acceptRisk',
  credentialSave: 'carnet:credential.save',
  credentialDelete: 'carnet:credential.delete',
  remoteLaunch: 'carnet:remote.launch',
  remoteEnd: 'carnet:remote.end',
  sshOpen: 'carnet:ssh.open',
  sshWrite: 'carnet:ssh.write',
  sshResize: 'carnet:ssh.resize',
  sshHostKeyAnswer: 'carnet:ssh.hostKeyAnswer'
} as const

/** Events the main process pushes to the renderer. */
export const EVENT_CHANNELS = {
  powerResume: 'carnet:power.resume',
  syncPoke: 'carnet:sync.poke',
  remoteSessionEnded: 'carnet:remote.sessionEnded',
  sshData: 'carnet:ssh.data',
  sshHostKeyPrompt: 'carnet:ssh.hostKeyPrompt'
} as const

export type InvokeName = keyof typeof INVOKE_CHANNELS
export type EventName = keyof typeof EVENT_CHANNELS

/** `powerResume` → `onPowerResume`: the name under which the bridge exposes an event. */
export function eventListenerName<N extends EventName>(name: N): `on${Capitalize<N>}` {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as `on${Capitalize<N>}`
}
