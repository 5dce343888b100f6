/**
 * Tokens travel only over https, except to this machine (a local server for development and
 * tests). Returns the normalized origin or null.
 */
export function normalizeServerUrl(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return null
  }
  if (url.username || url.password || url.search || url.hash) return null
  const loopback =
    url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return null
  return url.origin
}
