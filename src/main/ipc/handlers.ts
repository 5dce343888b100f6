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
        // Only the host is logged: a refused URL may carry credentials in its user info.
        logger.warn('openExternal refused', { host: safeHost(url) })
        throw new HandlerError(
          'shell.untrustedUrl',
          'This link cannot be opened: only https links to known sites are allowed.'
        )
      }
      // Hand over the normalized form, so the OS parses exactly what the predicate checked.
      return { opened: await platform.openExternal(new URL(url).href) }
    }
  }
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host.slice(0, 200)
  } catch {
    return null
  }
}
