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
}
