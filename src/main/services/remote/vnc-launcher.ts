import { createCipheriv } from 'node:crypto'
import { basename, join } from 'node:path'
import { realpathSync } from 'node:fs'
import { RemoteError } from '../../../shared/remote/remote-error'
import { effectivePort, type RemoteProfile } from '../../../shared/remote/remote-profile'
import { hostForAddress, validateHost, validateUser } from '../../../shared/remote/remote-validate'
import { findExecutable } from './launch-path'
import { checkSecret, executePlan, type LaunchPlan, type RemoteSession } from './launch-plan'
import type { SpawnFn } from './process-tracker'

/** Shown wherever a VNC profile is edited or launched (security.md 13). */
export const VNC_WEAK_PASSWORD_NOTE = {
  code: 'remote.vncWeakPassword',
  en:
    'VNC passwords are weak by design: only the first 8 characters count and they are ' +
    'protected with DES. Prefer tunnelling VNC through SSH.',
  fr:
    'Les mots de passe VNC sont faibles par conception : seuls les 8 premiers caractères ' +
    'comptent et ils sont protégés par DES. Préférez un tunnel SSH pour VNC.'
} as const

// The fixed key every VNC implementation uses, bit-reversed per byte as DES expects it
// (d3des reverses bits; 23 82 107 6 35 78 88 7 → e8 4a d6 60 c4 72 1a e0).
const VNC_KEY = Buffer.from('e84ad660c4721ae0', 'hex')

/**
 * The 8 bytes `vncpasswd -f` writes. Single DES is only in OpenSSL's legacy provider, but
 * 3DES-EDE with K1 = K2 = K3 is exactly single DES, and that cipher is always available.
 */
export function vncObfuscatePassword(password: string): Buffer {
  const block = Buffer.alloc(8)
  Buffer.from(password, 'latin1').copy(block, 0, 0, 8)
  const cipher = createCipheriv('des-ede3-ecb', Buffer.concat([VNC_KEY, VNC_KEY, VNC_KEY]), null)
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(block), cipher.final()])
}

export type VncClient =
  | { kind: 'tigervnc'; file: string }
  | { kind: 'realvnc'; file: string }
  | { kind: 'remmina'; file: string }

export interface VncPlanInput {
  profile: RemoteProfile
  password?: string
  tempDir: string
  client: VncClient
}

export function planVncLaunch(input: VncPlanInput): LaunchPlan {
  const { profile, password, client } = input
  if (profile.protocol !== 'vnc') {
    throw new RemoteError('remote.unsupportedProtocol', `not a VNC profile: ${profile.protocol}`)
  }
  const host = validateHost(profile.host)
  const port = effectivePort(profile)
  const warnings: string[] = [VNC_WEAK_PASSWORD_NOTE.code]
  if (password !== undefined) {
    checkSecret(password)
    // Only Latin-1 survives the 8-byte block; anything else would connect with a different key.
    if (!/^[\x20-\xff]*$/.test(password)) {
      throw new RemoteError('remote.invalidValue', 'VNC passwords must be Latin-1 characters')
    }
    if (password.length > 8) warnings.push('vnc.passwordTruncated')
  }
  // `host::port` is a raw TCP port for both TigerVNC and RealVNC (`host:N` means 5900 + N).
  const address = `${hostForAddress(host)}::${port}`
  if (client.kind === 'tigervnc') {
    if (password === undefined) return base(client.file, [address], warnings)
    const path = join(input.tempDir, 'vnc.passwd')
    return {
      ...base(client.file, ['-passwd', path, address], warnings),
      tempFiles: [{ name: 'vnc.passwd', path, content: vncObfuscatePassword(password) }]
    }
  }
  if (password !== undefined) warnings.push('vnc.passwordNotPassed')
  if (client.kind === 'realvnc') return base(client.file, [address], warnings)
  const user = profile.username ? `${encodeURIComponent(validateUser(profile.username))}@` : ''
  return base(client.file, ['-c', `vnc://${user}${hostForAddress(host)}:${port}`], warnings)
}

function base(file: string, args: string[], warnings: string[]): LaunchPlan {
  return { file, args, tempFiles: [], prepare: [], cleanup: [], warnings }
}

export const VNC_INSTALL_HINT =
  'No VNC viewer found: install TigerVNC (Debian/Ubuntu: sudo apt install tigervnc-viewer), ' +
  'Remmina or RealVNC Viewer'

/** PATH lookup (no shell); TigerVNC first because it is the one that takes a password file. */
export function resolveVncClient(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  preferred?: VncClient['kind']
): VncClient {
  const lookup = { path: env.PATH ?? '', platform, pathExt: env.PATHEXT }
  const tiger = findExecutable(['xtigervncviewer'], lookup)
  const viewer = findExecutable(['vncviewer'], lookup)
  const remmina = findExecutable(['remmina'], lookup)
  // Both TigerVNC and RealVNC install `vncviewer`; Debian's alternative points at xtigervncviewer.
  const viewerIsTiger = viewer !== undefined && /tiger/i.test(basename(safeRealpath(viewer)))
  const found: VncClient[] = []
  if (tiger) found.push({ kind: 'tigervnc', file: tiger })
  if (viewer && viewerIsTiger && !tiger) found.push({ kind: 'tigervnc', file: viewer })
  if (viewer && !viewerIsTiger) found.push({ kind: 'realvnc', file: viewer })
  if (remmina) found.push({ kind: 'remmina', file: remmina })
  const choice = found.find((c) => c.kind === preferred) ?? found[0]
  if (!choice) throw new RemoteError('remote.clientMissing', VNC_INSTALL_HINT)
  return choice
}

function safeRealpath(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

export interface LaunchVncOptions {
  profile: RemoteProfile
  password?: string
  env?: NodeJS.ProcessEnv
  client?: VncClient
  tempParent?: string
  spawnFn?: SpawnFn
}

export async function launchVnc(options: LaunchVncOptions): Promise<RemoteSession> {
  const env = options.env ?? process.env
  const client = options.client ?? resolveVncClient(env)
  return executePlan(
    (tempDir) =>
      planVncLaunch({ profile: options.profile, password: options.password, tempDir, client }),
    {
      protocol: 'vnc',
      env,
      secrets: options.password ? [options.password] : [],
      tempParent: options.tempParent,
      spawnFn: options.spawnFn
    }
  )
}
