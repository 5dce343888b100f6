import { RemoteError } from './remote-error'
import type { RemoteProfile } from './remote-profile'
import {
  assertPlainText,
  hostForAddress,
  validateDomain,
  validateHost,
  validatePort,
  validateUser
} from './remote-validate'

/**
 * A pure `.rdp` file builder. Only the keys below can ever be written, each at most once, and
 * every value is validated before it is formatted: a CR/LF in a host name could otherwise add
 * `alternate shell:s:…` or a drive redirection that the technician never saw (security.md 9).
 */
export const RDP_ALLOWED_KEYS = {
  'full address': 's',
  'server port': 'i',
  username: 's',
  domain: 's',
  gatewayhostname: 's',
  gatewayusagemethod: 'i',
  gatewayprofileusagemethod: 'i',
  'screen mode id': 'i',
  desktopwidth: 'i',
  desktopheight: 'i',
  'use multimon': 'i',
  redirectclipboard: 'i',
  redirectdrives: 'i',
  drivestoredirect: 's',
  redirectprinters: 'i',
  redirectsmartcards: 'i',
  redirectwebauthn: 'i',
  redirectcomports: 'i',
  redirectposdevices: 'i',
  audiocapturemode: 'i',
  camerastoredirect: 's',
  devicestoredirect: 's',
  usbdevicestoredirect: 's',
  'authentication level': 'i',
  enablecredsspsupport: 'i',
  'prompt for credentials': 'i',
  promptcredentialonce: 'i'
} as const satisfies Record<string, 'i' | 's'>
export type RdpKey = keyof typeof RDP_ALLOWED_KEYS

export interface RdpFileInput {
  host: string
  port?: number
  username?: string
  domain?: string
  gateway?: { host: string; port?: number }
  width?: number
  height?: number
  fullscreen?: boolean
  multimon?: boolean
  redirectClipboard?: boolean
  redirectDrives?: boolean
  redirectPrinters?: boolean
  redirectSmartCards?: boolean
  redirectWebAuthn?: boolean
  /** True when no credential is handed over (macOS, or no stored password): ask at connect. */
  promptForCredentials?: boolean
}

function flag(value: unknown, field: string): 0 | 1 {
  if (value === undefined) return 0
  if (typeof value !== 'boolean') {
    throw new RemoteError('remote.invalidValue', `${field} must be true or false`, { field })
  }
  return value ? 1 : 0
}

function dimension(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 200 || value > 8192) {
    throw new RemoteError('remote.invalidValue', `${field} must be 200-8192 pixels`, { field })
  }
  return value
}

/** Builds the file text (CRLF lines, UTF-8) or throws a RemoteError; never cleans a value up. */
export function buildRdpFile(input: RdpFileInput): string {
  const lines = new Map<RdpKey, string | number>()
  const host = validateHost(input.host)
  const port = input.port === undefined ? 3389 : validatePort(input.port)
  lines.set('full address', `${hostForAddress(host)}:${port}`)
  lines.set('server port', port)
  if (input.username !== undefined) lines.set('username', validateUser(input.username))
  if (input.domain !== undefined) lines.set('domain', validateDomain(input.domain))
  if (input.gateway !== undefined) {
    const gwHost = validateHost(input.gateway.host, 'gateway host')
    const gwPort =
      input.gateway.port === undefined
        ? undefined
        : validatePort(input.gateway.port, 'gateway port')
    lines.set('gatewayhostname', gwPort ? `${hostForAddress(gwHost)}:${gwPort}` : gwHost)
    lines.set('gatewayusagemethod', 1) // always use the gateway that the profile names
    lines.set('gatewayprofileusagemethod', 1) // explicit settings, not the user's defaults
    lines.set('promptcredentialonce', 1)
  } else {
    lines.set('gatewayusagemethod', 0)
  }
  const fullscreen = flag(input.fullscreen, 'fullscreen')
  lines.set('screen mode id', fullscreen ? 2 : 1)
  if (input.width !== undefined) lines.set('desktopwidth', dimension(input.width, 'width'))
  if (input.height !== undefined) lines.set('desktopheight', dimension(input.height, 'height'))
  lines.set('use multimon', flag(input.multimon, 'multimon'))
  lines.set('redirectclipboard', flag(input.redirectClipboard, 'redirectClipboard'))
  const drives = flag(input.redirectDrives, 'redirectDrives')
  lines.set('redirectdrives', drives)
  lines.set('drivestoredirect', drives ? '*' : '')
  lines.set('redirectprinters', flag(input.redirectPrinters, 'redirectPrinters'))
  lines.set('redirectsmartcards', flag(input.redirectSmartCards, 'redirectSmartCards'))
  lines.set('redirectwebauthn', flag(input.redirectWebAuthn, 'redirectWebAuthn'))
  // Devices the profile has no switch for stay explicitly off, whatever mstsc's defaults become.
  lines.set('redirectcomports', 0)
  lines.set('redirectposdevices', 0)
  lines.set('audiocapturemode', 0)
  lines.set('camerastoredirect', '')
  lines.set('devicestoredirect', '')
  lines.set('usbdevicestoredirect', '')
  // 2 = warn and let the technician decide when the server cannot be authenticated; never 0/3.
  lines.set('authentication level', 2)
  lines.set('enablecredsspsupport', 1)
  lines.set('prompt for credentials', flag(input.promptForCredentials, 'promptForCredentials'))
  return formatRdp(lines)
}

function formatRdp(lines: Map<RdpKey, string | number>): string {
  const out: string[] = []
  for (const [key, value] of lines) {
    const text = assertPlainText(String(value), key)
    out.push(`${key}:${RDP_ALLOWED_KEYS[key]}:${text}`)
  }
  return out.join('\r\n') + '\r\n'
}

export interface RdpLine {
  key: string
  type: string
  value: string
}

/**
 * A deliberately suspicious parser for tests and audits: any Unicode line terminator ends a line
 * (more than mstsc does), so a payload that sneaks one into a value shows up as an extra line.
 */
export function parseRdpFile(text: string): RdpLine[] {
  return text
    .split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/)
    .filter((line) => line.length > 0)
    .map((line) => {
      const m = /^([^:]*):([^:]*):(.*)$/su.exec(line)
      return m
        ? { key: m[1] ?? '', type: m[2] ?? '', value: m[3] ?? '' }
        : { key: line, type: '', value: '' }
    })
}

/** The builder's input for a profile; `promptForCredentials` when no credential is handed over. */
export function rdpInputFromProfile(
  profile: Pick<RemoteProfile, 'host' | 'port' | 'username' | 'domain' | 'options'>,
  promptForCredentials: boolean
): RdpFileInput {
  const o = profile.options
  return {
    host: profile.host ?? '',
    port: profile.port,
    username: profile.username,
    domain: profile.domain,
    gateway: o.gateway,
    width: o.width,
    height: o.height,
    fullscreen: o.fullscreen,
    multimon: o.multimon,
    redirectClipboard: o.redirectClipboard,
    redirectDrives: o.redirectDrives,
    redirectPrinters: o.redirectPrinters,
    redirectSmartCards: o.redirectSmartCards,
    redirectWebAuthn: o.redirectWebAuthn,
    promptForCredentials
  }
}
