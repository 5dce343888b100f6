import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createDispatch } from '../ipc/dispatch'
import { createHandlers } from '../ipc/handlers'
import { QUIT_RELEASE_MS, releaseWithin } from '../ipc/remote-handlers'
import { createFileLogger } from '../services/logger'
import type { Platform } from '../services/platform'
import { startBrowserHost, type BrowserHost } from './server'
import { developmentSecretBox } from '../services/secret-box'

/*
 * `npm run start:browser`: the renderer and the main-process handlers without the Electron shell,
 * for machines with no Electron binary and for the e2e tests. Development only: never packaged,
 * loopback only, and it says so.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5199' },
    data: { type: 'string', default: resolve('.carnet-data') },
    renderer: { type: 'string', default: join(__dirname, '../renderer') }
  }
})

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`carnet browser host: invalid --port "${values.port}"`)
  process.exit(2)
}
const dataDir = resolve(values.data)
mkdirSync(dataDir, { recursive: true, mode: 0o700 })
const logger = createFileLogger(join(dataDir, 'logs', 'carnet.log'))

// Events raised before the host listens are dropped: the renderer pulls on start anyway.
const hostRef: { current: BrowserHost | null } = { current: null }

const platform: Platform = {
  host: 'browser',
  appName: 'Carnet',
  appVersion: process.env['npm_package_version'] ?? '0.0.0-dev',
  platform: process.platform,
  dataDir,
  openExternal: (url) => {
    // No desktop to hand the link to: the page is told, and the link is logged for the developer.
    logger.info('browser host: openExternal not available', { url })
    return Promise.resolve(false)
  },
  // Development keystore: a 0600 file in the data folder, labelled as such (no OS keyring here).
  secrets: developmentSecretBox,
  emit: (name, payload) => hostRef.current?.emit(name, payload)
}

let remote: { release: () => Promise<void> } | null = null

void startBrowserHost({
  rendererDir: resolve(values.renderer),
  dispatch: createDispatch(
    createHandlers(platform, logger, {
      // Tests point xfreerdp at a throwaway server whose certificate cannot be trusted on first use.
      testOnlyIgnoreRdpCertificate: process.env['CARNET_TEST_IGNORE_RDP_CERT'] === '1',
      onQuit: (handle) => (remote = handle)
    }),
    logger
  ),
  logger,
  port
})
  .then((host) => {
    hostRef.current = host
    console.log('Carnet browser host — development and tests only; not the packaged app.')
    console.log(`Listening on 127.0.0.1 only. Data folder: ${dataDir}`)
    // Tests read this line to find the URL.
    console.log(`CARNET_URL=${host.url}`)
    // Remote sessions' secrets and SSH terminals first: nothing of them may outlive the host.
    const stop = () =>
      void releaseWithin(remote?.release ?? (() => Promise.resolve()), QUIT_RELEASE_MS)
        .then(() => host.close())
        .then(() => process.exit(0))
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  .catch((error: unknown) => {
    console.error(`carnet browser host: could not start: ${String(error)}`)
    process.exit(1)
  })
