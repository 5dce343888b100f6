import { isTrustedExternalUrl } from '../security/trusted-url'
import type { Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import { HandlerError, type Handlers } from './dispatch'

/** The one handler map, shared by the Electron shell and the browser host. */
export function createHandlers(platform: Platform, logger: Logger): Handlers {
  return {
    appInfo: () => ({
      name: platform.appName,
      version: platform.appVersion,
      host: platform.host,
      platform: platform.platform,
      dataDir: platform.dataDir,
      logFile: logger.file
    }),

    writeLog: ({ level, message, context }) => {
      logger[level](`renderer: ${message}`, context)
      return null
    },

    openExternal: async ({ url }) => {
      if (!isTrustedExternalUrl(url)) {
        logger.warn('openExternal refused', { url: url.slice(0, 200) })
        throw new HandlerError('shell.untrustedUrl', 'This link cannot be opened: only https links to known sites are allowed.')
      }
      return { opened: await platform.openExternal(url) }
    }
  }
}
