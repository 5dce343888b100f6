import { RemoteError } from '../../../shared/remote/remote-error'
import { effectivePort, type RemoteProfile } from '../../../shared/remote/remote-profile'
import { buildWebAdminUrl, normalizeWebAdminUrl } from '../../../shared/remote/web-admin-url'

/**
 * A device's web administration page, opened in the default browser. The URL comes from the
 * profile (`url`, or host/port); it is built and checked here, then goes through the app's one
 * checked openExternal (security.md 3), which has the last word.
 */
export function webAdminUrlForProfile(profile: RemoteProfile): string {
  if (profile.protocol !== 'web') {
    throw new RemoteError('remote.unsupportedProtocol', `not a web profile: ${profile.protocol}`)
  }
  if (profile.url) return normalizeWebAdminUrl(profile.url)
  const port = effectivePort(profile)
  // Port 80 and 8080 are the usual plain-http admin pages of LAN equipment; the rest is https.
  const scheme = port === 80 || port === 8080 ? 'http' : 'https'
  return buildWebAdminUrl({ scheme, host: profile.host ?? '', port })
}

export interface OpenWebAdminDeps {
  /** The checked predicate (trusted-url), extended by its owner for device admin pages. */
  isAllowed: (url: string) => boolean
  openExternal: (url: string) => Promise<boolean>
}

export async function openWebAdmin(
  profile: RemoteProfile,
  deps: OpenWebAdminDeps
): Promise<{ url: string; opened: boolean }> {
  const url = webAdminUrlForProfile(profile)
  if (!deps.isAllowed(url)) {
    throw new RemoteError('remote.invalidUrl', 'this address may not be opened')
  }
  return { url, opened: await deps.openExternal(url) }
}
