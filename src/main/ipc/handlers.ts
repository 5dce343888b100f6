import { isTrustedExternalUrl } from '../security/trusted-url'
import type { Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import { PokeListener } from '../services/poke-listener'
import { SecretBoxError } from '../services/secret-box'
import { SyncClient, SyncClientError } from '../services/sync-client'
import { TokenVault } from '../services/token-vault'
import { HandlerError, type Handlers } from './dispatch'
import { createRemoteHandlers, type RemoteOptions } from './remote-handlers'
import { createSshHandlers } from './ssh-handlers'
import { CredentialError, CredentialVault } from '../services/credential-vault'
import { SshError } from '../services/remote/ssh-errors'
import { isRemoteError } from '../../shared/remote/remote-error'

/** Service errors keep their codes across the boundary. */
async function coded<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (
      error instanceof SyncClientError ||
      error instanceof SecretBoxError ||
      error instanceof CredentialError ||
      error instanceof SshError ||
      isRemoteError(error)
    ) {
      throw new HandlerError(error.code, error.message)
    }
    throw error
  }
}

/** Wraps every handler of a map with `coded`. */
function codedAll<H extends Partial<Handlers>>(handlers: H): H {
  const out: Record<string, unknown> = {}
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = (args: never, ctx: never) =>
      coded(() => (handler as (a: never, c: never) => unknown)(args, ctx))
  }
  return out as H
}

/** The one handler map, shared by the Electron shell and the browser host. */
export function createHandlers(
  platform: Platform,
  logger: Logger,
  remoteOptions: RemoteOptions = {}
): Handlers {
  const sync = new SyncClient(new TokenVault(platform.dataDir, platform.secrets), logger)
  const vault = new CredentialVault(platform.dataDir, platform.secrets)
  const ssh = createSshHandlers(platform, logger, vault)
  const remote = createRemoteHandlers(platform, logger, vault, ssh.manager, remoteOptions)
  const pokes = new PokeListener(
    sync,
    () => platform.emit('syncPoke', { at: new Date().toISOString() }),
    logger
  )
  pokes.start()

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
    },

    authStatus: () => coded(() => sync.status()),

    authLogin: (args) =>
      coded(async () => {
        const status = await sync.login(args)
        pokes.stop()
        pokes.start()
        return status
      }),

    authLogout: () =>
      coded(async () => {
        pokes.stop()
        await sync.logout()
        return null
      }),

    syncPush: ({ request }) => coded(() => sync.push(request)),
    syncPull: ({ request }) => coded(() => sync.pull(request)),
    vaultStatus: () => ({ keystore: platform.secrets.kind, ...platform.secrets.describe() }),
    vaultAcceptRisk: ({ accept }) => {
      platform.secrets.acceptRisk(accept)
      logger.warn('keyring risk choice', { accepted: accept })
      return { keystore: platform.secrets.kind, ...platform.secrets.describe() }
    },
    ...codedAll(ssh.handlers),
    ...codedAll(remote.handlers)
  }
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host.slice(0, 200)
  } catch {
    return null
  }
}
