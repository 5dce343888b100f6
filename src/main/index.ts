import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  powerMonitor,
  safeStorage,
  session,
  shell
} from 'electron'
import { join } from 'node:path'
import { EVENT_CHANNELS } from '../shared/ipc/channels'
import { electronSecretBox } from './electron-secret-box'
import { KeyringRisk } from './services/keyring-risk'
import { createDispatch } from './ipc/dispatch'
import { createHandlers } from './ipc/handlers'
import { QUIT_RELEASE_MS, releaseWithin } from './ipc/remote-handlers'
import { registerIpc } from './ipc/register-electron'
import { registerAppScheme, serveRenderer } from './protocol'
import { hardenSession, hardenWebContents } from './security/harden'
import { appOrigins } from './security/trusted-sender'
import { createFileLogger } from './services/logger'
import type { Platform } from './services/platform'
import { setupUpdater } from './updater'
import { createMainWindow } from './window'

/*
 * The Electron shell, kept thin: everything below is wiring. Services and handlers live in
 * modules that also run under plain Node (tests) and in the browser host.
 */
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const origins = appOrigins(devServerUrl)

registerAppScheme()

if (!app.requestSingleInstanceLock()) {
  app.quit()
  process.exit(0)
}

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, origins))

// What must not outlive the app (remote sessions' secrets, SSH terminals). Only a quit with a
// session open waits, and at most QUIT_RELEASE_MS: macOS gives up a shutdown or logout when an
// app cancels its quit. (Windows ends apps at shutdown or logoff without this event.)
let remote: { release: () => Promise<void>; active: () => boolean } | null = null
let released = false
app.on('before-quit', (event) => {
  if (released || !remote?.active()) return
  event.preventDefault()
  released = true
  void releaseWithin(remote.release, QUIT_RELEASE_MS).finally(() => app.quit())
})

const started = app.whenReady().then(() => {
  const dataDir = app.getPath('userData')
  const logger = createFileLogger(join(dataDir, 'logs', 'carnet.log'))
  hardenSession(session.defaultSession)
  serveRenderer(join(__dirname, '../renderer'))

  const platform: Platform = {
    host: 'electron',
    appName: app.getName(),
    appVersion: app.getVersion(),
    platform: process.platform,
    dataDir,
    openExternal: async (url) => {
      await shell.openExternal(url)
      return true
    },
    secrets: electronSecretBox(safeStorage, process.platform, new KeyringRisk(dataDir)),
    emit: (name, payload) => {
      for (const win of BrowserWindow.getAllWindows())
        win.webContents.send(EVENT_CHANNELS[name], payload)
    }
  }
  const handlers = createHandlers(platform, logger, {
    onQuit: (handle) => (remote = handle)
  })
  registerIpc(ipcMain, createDispatch(handlers, logger), origins, logger)

  let main = createMainWindow(devServerUrl ?? 'app://carnet/index.html')
  powerMonitor.on('resume', () => platform.emit('powerResume', { at: new Date().toISOString() }))
  app.on('second-instance', () => {
    if (main.isMinimized()) main.restore()
    main.focus()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0)
      main = createMainWindow(devServerUrl ?? 'app://carnet/index.html')
  })
  setupUpdater(app.isPackaged, logger)
  logger.info('carnet started', { version: app.getVersion() })
})

void started.catch((error: unknown) => {
  // Last resort: a process with no window must not keep the single-instance lock, or every later
  // launch would quit at once and Carnet could not be opened again until that process is killed.
  console.error('carnet: startup failed', error)
  dialog.showErrorBox('Carnet could not start', `${String(error).slice(0, 300)}\n\nStart it again.`)
  app.exit(1)
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
