import type { EventName, EventPayloads } from '../../shared/ipc'
import type { SecretBox } from './secret-box'

/**
 * What main-process services need from their host. Electron provides it in `src/main/index.ts`;
 * the browser host provides a development stand-in. Services receive it as a parameter and never
 * import `electron` themselves, so they run under plain Node in tests.
 */
export interface Platform {
  host: 'electron' | 'browser'
  appName: string
  appVersion: string
  platform: string
  /** Per-user data folder (Electron `userData`, or the browser host's `--data`). */
  dataDir: string
  /** Opens a URL in the user's browser; only called with URLs the trusted-url predicate passed. */
  openExternal(url: string): Promise<boolean>
  /** How secrets are protected at rest on this host. */
  secrets: SecretBox
  /** Pushes an event to the renderer(s). */
  emit<K extends EventName>(name: K, payload: EventPayloads[K]): void
}
