import type { Session, WebContents } from 'electron'
import { isTrustedSender } from './trusted-sender'

/**
 * Applied to every web contents the app creates (security.md item 3): navigation stays on the
 * app's origin, new windows are refused, and links go nowhere unless the user clicks a checked
 * https link, which the renderer routes through the `openExternal` channel.
 */
export function hardenWebContents(contents: WebContents, origins: readonly string[]): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedSender({ url }, origins)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedSender({ url }, origins)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

/**
 * Every permission (camera, notifications, geolocation, clipboard reading...) is denied unless
 * listed here. Writing to the clipboard is allowed: copying terminal output is what technicians
 * need, and it reveals nothing to the page.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write']

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.includes(permission)
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission))
  )
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission))
}
