import { autoUpdater } from 'electron-updater'
import type { Logger } from './services/logger'

/**
 * The updater gate (security.md item 14): only packaged builds check for updates, downgrades stay
 * refused, and nothing installs on quit by itself: installing while a timer or a remote session
 * runs would cut the technician's work, so the UI will ask first (a later issue wires the prompt).
 */
export function setupUpdater(isPackaged: boolean, logger: Logger): void {
  if (!isPackaged) return
  autoUpdater.allowDowngrade = false
  autoUpdater.autoInstallOnAppQuit = false
  autoUpdater.autoDownload = true
  if (autoUpdater.allowDowngrade !== false)
    throw new Error('updater: allowDowngrade must stay false')
  autoUpdater.on('error', (error) =>
    logger.warn('updater error', { error: String(error).slice(0, 500) })
  )
  autoUpdater.checkForUpdates().catch((error: unknown) => {
    logger.warn('update check failed', { error: String(error).slice(0, 500) })
  })
}
