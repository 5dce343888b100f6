import { BrowserWindow } from 'electron'
import { join } from 'node:path'

/**
 * The main window. Every BrowserWindow in this codebase is created with these preferences; a
 * test parses the main-process sources and fails on any window that is not.
 */
export function createMainWindow(rendererUrl: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Carnet',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(rendererUrl)
  return win
}
