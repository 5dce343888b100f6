/**
 * Pure predicates for who may call the main process. Kept free of Electron so tests can feed
 * forged senders directly.
 */

/** The origins the app's own pages are served from (custom protocol, or the dev server). */
export function appOrigins(devServerUrl?: string): string[] {
  const origins = ['app://carnet']
  if (devServerUrl) origins.push(new URL(devServerUrl).origin)
  return origins
}

/** The parts of Electron's `WebFrameMain` the check reads; `null` when the frame is gone. */
export interface SenderFrameLike {
  url: string
  detached?: boolean
}

/** True only for a live frame whose URL belongs to one of the app's origins. */
export function isTrustedSender(
  frame: SenderFrameLike | null | undefined,
  origins: readonly string[]
): boolean {
  if (!frame || frame.detached) return false
  let url: URL
  try {
    url = new URL(frame.url)
  } catch {
    return false
  }
  // `new URL('app://carnet/x').origin` is "null" for non-special schemes, so compare by hand.
  const origin = url.protocol === 'app:' ? `app://${url.host}` : url.origin
  return origin !== 'null' && origins.includes(origin)
}
