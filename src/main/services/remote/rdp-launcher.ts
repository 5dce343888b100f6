import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { buildRdpFile, rdpInputFromProfile } from '../../../shared/remote/rdp-file'
import { RemoteError } from '../../../shared/remote/remote-error'
import { effectivePort, type RemoteProfile } from '../../../shared/remote/remote-profile'
import { hostForAddress } from '../../../shared/remote/remote-validate'
import { findExecutable } from './launch-path'
import { checkSecret, executePlan, type LaunchPlan, type RemoteSession } from './launch-plan'
import type { SessionOutcome, SpawnFn } from './process-tracker'

/**
 * RDP per platform (security.md 9-10). The plan is pure so every platform is testable here;
 * `launchRdp` resolves the client, writes the plan's files and tracks the client's process.
 */
export type RdpClient =
  | { kind: 'mstsc'; file: string; cmdkey: string }
  | { kind: 'mac'; file: string; app: string }
  | { kind: 'freerdp'; file: string }

export interface RdpPlanInput {
  platform: NodeJS.Platform
  profile: RemoteProfile
  password?: string
  /** Private folder (0700) the plan's temporary files go into. */
  tempDir: string
  client: RdpClient
  /**
   * Test-only: `/cert:ignore` for the loopback FreeRDP peer, whose certificate changes per run.
   * Never reachable from IPC; production lets FreeRDP trust on first use (`/cert:tofu`).
   */
  testOnlyIgnoreCertificate?: boolean
}

export function planRdpLaunch(input: RdpPlanInput): LaunchPlan {
  const { profile, password, client } = input
  if (profile.protocol !== 'rdp') {
    throw new RemoteError('remote.unsupportedProtocol', `not an RDP profile: ${profile.protocol}`)
  }
  if (password !== undefined) checkSecret(password)
  const host = profile.host ?? ''
  const port = effectivePort(profile)
  // The builder validates every field even when no file is written (Linux): one gate for all.
  const withCredential =
    password !== undefined && client.kind === 'mstsc' && profile.username !== undefined
  const rdpText = buildRdpFile(rdpInputFromProfile({ ...profile, port }, !withCredential))
  const o = profile.options

  if (client.kind === 'mstsc') {
    const rdpPath = join(input.tempDir, 'session.rdp')
    const target = `TERMSRV/${host}`
    const user =
      profile.domain && profile.username
        ? `${profile.domain}\\${profile.username}`
        : profile.username
    // cmdkey takes the password in argv: the documented Windows way (security.md 10). The entry
    // lives only for the session and is deleted on exit, also when mstsc fails to start.
    const withCmdkey = password !== undefined && user !== undefined
    return {
      file: client.file,
      args: [rdpPath],
      tempFiles: [{ name: 'session.rdp', path: rdpPath, content: rdpText }],
      prepare: withCmdkey
        ? [
            {
              file: client.cmdkey,
              args: [`/generic:${target}`, `/user:${user}`, `/pass:${password}`]
            }
          ]
        : [],
      cleanup: withCmdkey ? [{ file: client.cmdkey, args: [`/delete:${target}`] }] : [],
      warnings: []
    }
  }
  if (client.kind === 'mac') {
    const rdpPath = join(input.tempDir, 'session.rdp')
    // No password on macOS: the client asks (or uses its keychain). `-W` keeps `open` running
    // until the app quits, so the file outlives the app's read of it.
    return {
      file: client.file,
      args: ['-W', '-a', client.app, rdpPath],
      tempFiles: [{ name: 'session.rdp', path: rdpPath, content: rdpText }],
      prepare: [],
      cleanup: [],
      warnings: password !== undefined ? ['rdp.macPasswordNotPassed'] : []
    }
  }
  const args = [`/v:${hostForAddress(host)}:${port}`]
  if (profile.username) args.push(`/u:${profile.username}`)
  if (profile.domain) args.push(`/d:${profile.domain}`)
  // `:force` reads the password before connecting, whatever security the server negotiates,
  // so it is consumed from the pipe at once and never waits in it. Never `/p:` (FreeRDP#3639).
  if (password !== undefined) args.push('/from-stdin:force')
  args.push(input.testOnlyIgnoreCertificate ? '/cert:ignore' : '/cert:tofu')
  if (o.gateway) {
    args.push(`/g:${hostForAddress(o.gateway.host)}${o.gateway.port ? `:${o.gateway.port}` : ''}`)
  }
  if (o.fullscreen) args.push('/f')
  else if (o.width && o.height) args.push(`/size:${o.width}x${o.height}`)
  if (o.multimon) args.push('/multimon')
  // FreeRDP shares the clipboard unless told not to; the others are off unless asked.
  args.push(o.redirectClipboard ? '+clipboard' : '-clipboard')
  if (o.redirectDrives) args.push('+drives')
  if (o.redirectPrinters) args.push('/printer')
  if (o.redirectSmartCards) args.push('/smartcard')
  return {
    file: client.file,
    args,
    ...(password !== undefined ? { stdin: `${password}\n` } : {}),
    tempFiles: [],
    prepare: [],
    cleanup: [],
    warnings: o.redirectWebAuthn ? ['rdp.webauthnUnsupported'] : []
  }
}

export const FREERDP_INSTALL_HINT =
  'No RDP client found: install FreeRDP (Debian/Ubuntu: sudo apt install freerdp2-x11; ' +
  'Fedora: sudo dnf install freerdp)'

/** Finds the platform's RDP client by PATH lookup (no shell); throws `remote.clientMissing`. */
export function resolveRdpClient(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv = process.env,
  macAppDirs: readonly string[] = ['/Applications', join(homedir(), 'Applications')]
): RdpClient {
  const lookup = { path: env.PATH ?? '', platform, pathExt: env.PATHEXT }
  if (platform === 'win32') {
    const file = findExecutable(['mstsc'], lookup)
    const cmdkey = findExecutable(['cmdkey'], lookup)
    if (file && cmdkey) return { kind: 'mstsc', file, cmdkey }
    throw new RemoteError('remote.clientMissing', 'mstsc.exe or cmdkey.exe not found in PATH')
  }
  if (platform === 'darwin') {
    for (const app of ['Windows App', 'Microsoft Remote Desktop']) {
      if (macAppDirs.some((d) => existsSync(join(d, `${app}.app`)))) {
        return { kind: 'mac', file: '/usr/bin/open', app }
      }
    }
    throw new RemoteError(
      'remote.clientMissing',
      'No RDP client found: install "Windows App" from the Mac App Store'
    )
  }
  // wlfreerdp only on a pure Wayland session; xfreerdp also runs under XWayland.
  const pureWayland = Boolean(env.WAYLAND_DISPLAY) && !env.DISPLAY
  const names = pureWayland
    ? ['wlfreerdp', 'wlfreerdp3', 'xfreerdp', 'xfreerdp3', 'sdl-freerdp3']
    : ['xfreerdp', 'xfreerdp3', 'sdl-freerdp3', 'wlfreerdp', 'wlfreerdp3']
  const file = findExecutable(names, lookup)
  if (!file) throw new RemoteError('remote.clientMissing', FREERDP_INSTALL_HINT)
  return { kind: 'freerdp', file }
}

/** FreeRDP's exit codes (client/X11 xf_client.h): < 128 the session ended, ≥ 128 it failed. */
export function classifyFreerdpExit(
  code: number | null,
  _signal?: NodeJS.Signals | null
): { outcome: SessionOutcome; code?: string } {
  // Killed by a signal we did not send (stop() reports `cancelled` before this runs).
  if (code === null) return { outcome: 'failed', code: `remote.clientFailed` }
  if (code < 128) return { outcome: 'ended' }
  if (code === 131) return { outcome: 'failed', code: 'remote.unreachable' }
  if (code === 132 || code === 134 || code === 135) {
    return { outcome: 'failed', code: 'remote.authFailed' }
  }
  return { outcome: 'failed', code: 'remote.clientFailed' }
}

export interface LaunchRdpOptions {
  profile: RemoteProfile
  password?: string
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  /** See RdpPlanInput.testOnlyIgnoreCertificate. */
  testOnlyIgnoreCertificate?: boolean
  /** Parent of the private temp folder (default: the OS temp folder). */
  tempParent?: string
  client?: RdpClient
  spawnFn?: SpawnFn
}

/** Starts the session; `ended` resolves when the client exits, after cleanup. */
export async function launchRdp(options: LaunchRdpOptions): Promise<RemoteSession> {
  const platform = options.platform ?? process.platform
  const env = options.env ?? process.env
  const client = options.client ?? resolveRdpClient(platform, env)
  return executePlan(
    (tempDir) =>
      planRdpLaunch({
        platform,
        profile: options.profile,
        password: options.password,
        tempDir,
        client,
        testOnlyIgnoreCertificate: options.testOnlyIgnoreCertificate
      }),
    {
      protocol: 'rdp',
      env,
      secrets: options.password ? [options.password] : [],
      classify: client.kind === 'freerdp' ? classifyFreerdpExit : undefined,
      tempParent: options.tempParent,
      spawnFn: options.spawnFn
    }
  )
}
