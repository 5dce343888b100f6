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

/** Every permission (camera, notifications, geolocation, ...) is denied unless listed here. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}
