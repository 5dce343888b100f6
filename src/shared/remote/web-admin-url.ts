import { RemoteError } from './remote-error'
import { assertPlainText, hostForAddress, validateHost, validatePort } from './remote-validate'

/**
 * URLs of devices' web administration pages (printers, switches, NAS, firewalls). Plain http is
 * allowed because much LAN equipment has nothing else; everything else a URL can smuggle
 * (credentials, other schemes, control characters, look-alike hosts) is refused.
 */
export interface WebAdminTarget {
  scheme?: 'http' | 'https'
  host: string
  port?: number
  path?: string
}

const MAX_URL = 2048

function invalid(message: string): RemoteError {
  return new RemoteError('remote.invalidUrl', message)
}

/** Builds `scheme://host[:port]/path`; throws RemoteError. */
export function buildWebAdminUrl(target: WebAdminTarget): string {
  const scheme = target.scheme ?? 'https'
  if (scheme !== 'http' && scheme !== 'https') throw invalid('scheme must be http or https')
  const host = validateHost(target.host)
  const port = target.port === undefined ? undefined : validatePort(target.port)
  const path = assertPlainText(target.path ?? '/', 'path', 1024)
  // `//evil.example` or `\\evil` would turn the path into another authority in some parsers.
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) {
    throw invalid('path must start with a single /')
  }
  const defaultPort = scheme === 'https' ? 443 : 80
  const authority = hostForAddress(host) + (port && port !== defaultPort ? `:${port}` : '')
  return normalizeWebAdminUrl(`${scheme}://${authority}${path}`)
}

/** Checks and normalises a URL typed in a profile; returns the WHATWG serialisation. */
export function normalizeWebAdminUrl(raw: string): string {
  assertPlainText(raw, 'url', MAX_URL)
  if (/\s/.test(raw)) throw invalid('url contains spaces')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalid('url is not a valid address')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('url must start with http:// or https://')
  }
  // user:pass@ in a link is both a secret leak and a classic look-alike trick.
  if (url.username || url.password) throw invalid('url must not contain credentials')
  validateHost(url.hostname)
  return url.href
}

/** Predicate for the checked openExternal: true only for what normalizeWebAdminUrl accepts. */
export function isWebAdminUrl(raw: string): boolean {
  try {
    return normalizeWebAdminUrl(raw) === raw
  } catch {
    return false
  }
}
