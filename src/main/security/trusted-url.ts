/**
 * The one predicate behind `shell.openExternal`: only https URLs to hosts the app knows, compared
 * as whole host names so look-alikes (`docs.carnet.example.com.attacker.com`) fail.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['carnet.example.org']

export function isTrustedExternalUrl(
  raw: string,
  allowedHosts: readonly string[] = EXTERNAL_HOSTS
): boolean {
  if (typeof raw !== 'string' || raw.length > 2048) return false
  // Control characters could smuggle a second URL into a platform handler.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029\s]/.test(raw)) return false
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (url.protocol !== 'https:') return false
  if (url.username || url.password) return false
  if (url.port && url.port !== '443') return false
  const host = url.hostname.toLowerCase()
  return allowedHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`))
}
