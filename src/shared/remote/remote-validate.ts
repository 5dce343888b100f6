import { RemoteError } from './remote-error'

/**
 * Validators shared by the profile schema, the `.rdp` builder and the launchers. They throw
 * rather than clean up: a value that needs cleaning is a value someone crafted, and silently
 * stripping a CR/LF would still connect somewhere the technician did not choose.
 */

// Cc (C0/C1 controls), Cf (bidi overrides, zero-width, BOM), Zl/Zp (U+2028/2029): all of them
// either end a line for some parser or hide what the technician reads on screen.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

export const LIMITS = { host: 253, user: 104, domain: 255, value: 512, remoteId: 64 } as const

/** Throws `remote.controlCharacter` / `remote.tooLong`; `field` names the value in the message. */
export function assertPlainText(value: unknown, field: string, max: number = LIMITS.value): string {
  if (typeof value !== 'string') {
    throw new RemoteError('remote.invalidValue', `${field} must be text`, { field })
  }
  if (CONTROL.test(value)) {
    throw new RemoteError('remote.controlCharacter', `${field} contains a control character`, {
      field
    })
  }
  if (value.length > max) {
    throw new RemoteError('remote.tooLong', `${field} is longer than ${max} characters`, { field })
  }
  return value
}

export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value)
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function isIPv4(host: string): boolean {
  return IPV4.test(host)
}

/** IPv6 without brackets or zone id; the WHATWG URL parser is the one available everywhere. */
export function isIPv6(host: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(host) || !host.includes(':')) return false
  try {
    return new URL(`http://[${host}]/`).hostname.length > 2
  } catch {
    return false
  }
}

/** RFC 1123 host name: labels of letters, digits and inner hyphens, no leading `-` for argv. */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > LIMITS.host) return false
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.')
  // An all-numeric last label would be a mistyped IPv4 address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false
  return labels.every((l) => LABEL.test(l))
}

/** Returns the host without brackets; throws `remote.invalidHost`. */
export function validateHost(raw: unknown, field = 'host'): string {
  const value = assertPlainText(raw, field, LIMITS.host + 2)
  const host = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  if (isIPv4(host) || isIPv6(host) || isHostName(host)) return host
  throw new RemoteError('remote.invalidHost', `${field} is not a host name or IP address`, {
    field
  })
}

/** `[v6]` where a port may follow (`/v:`, `full address`, URLs); other hosts unchanged. */
export function hostForAddress(host: string): string {
  return isIPv6(host) ? `[${host}]` : host
}

export function validatePort(raw: unknown, field = 'port'): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 65535) {
    throw new RemoteError('remote.invalidPort', `${field} must be a whole number 1-65535`, {
      field
    })
  }
  return raw
}

// Letters and digits of any script, and . _ - @ \ $ and inner spaces (Windows allows them);
// no `:` `;` `,` `"` `/` which Windows refuses and which separate fields in files and argv.
const USER = /^[\p{L}\p{N}_.@\\$-](?:[\p{L}\p{N}_.@\\$ -]*[\p{L}\p{N}_.@\\$-])?$/u

export function validateUser(raw: unknown, field = 'username'): string {
  const value = assertPlainText(raw, field, LIMITS.user)
  if (!USER.test(value) || value.startsWith('-')) {
    throw new RemoteError('remote.invalidUser', `${field} contains characters not allowed`, {
      field
    })
  }
  return value
}

// A NetBIOS or DNS domain; both fit host-name labels.
export function validateDomain(raw: unknown, field = 'domain'): string {
  const value = assertPlainText(raw, field, LIMITS.domain)
  if (!isHostName(value)) {
    throw new RemoteError('remote.invalidDomain', `${field} is not a domain name`, { field })
  }
  return value
}

/** IDs of AnyDesk, RustDesk, TeamViewer: letters and digits only (spaces typed by people go). */
export function validateRemoteId(raw: unknown, field = 'remoteId'): string {
  const value = assertPlainText(raw, field, LIMITS.remoteId)
  const compact = value.replace(/ /g, '')
  if (!/^[A-Za-z0-9]{1,64}$/.test(compact)) {
    throw new RemoteError('remote.invalidId', `${field} must contain letters and digits only`, {
      field
    })
  }
  return compact
}
