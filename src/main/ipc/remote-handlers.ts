import { randomUUID } from 'node:crypto'
import type { RemoteSessionEnded } from '../../shared/ipc/contract'
import { isThirdPartyUrl } from '../../shared/remote/third-party-url'
import { isWebAdminUrl } from '../../shared/remote/web-admin-url'
import type { RemoteProfile } from '../../shared/remote/remote-profile'
import type { CredentialVault } from '../services/credential-vault'
import type { Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import type { RemoteSession } from '../services/remote/launch-plan'
import { launchRdp } from '../services/remote/rdp-launcher'
import { launchThirdParty } from '../services/remote/third-party'
import { launchVnc } from '../services/remote/vnc-launcher'
import { openWebAdmin } from '../services/remote/web-admin'
import type { SshManager } from '../services/remote/ssh-manager'
import { HandlerError, type Handlers } from './dispatch'

export interface RemoteOptions {
  /** Browser host under test only: lets xfreerdp accept the throwaway test server's certificate. */
  testOnlyIgnoreRdpCertificate?: boolean
  /**
   * Handed, once, what the app must run before it quits (`release`: the open sessions' secrets
   * released, see RemoteSession.release, and the SSH terminals closed) and whether there is
   * anything to release (`active`).
   */
  onQuit?: (remote: { release: () => Promise<void>; active: () => boolean }) => void
}

/** How long a quit waits for `release` at most. */
export const QUIT_RELEASE_MS = 3000

/**
 * Runs `release`, giving up after `ms`: a quit must never hang on a helper that does not return
 * (a process with no window would keep the single-instance lock), nor fail because one failed.
 */
export function releaseWithin(release: () => Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    release()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer)
        resolve()
      })
  })
}

/**
 * External remote-control programs (RDP, VNC, third-party tools, web admin pages). A launched
 * program is tracked until it exits; a page or URL handed to the desktop has no process to
 * watch, so its session lasts until the technician ends it.
 */
export function createRemoteHandlers(
  platform: Platform,
  logger: Logger,
  vault: CredentialVault,
  ssh: SshManager,
  options: RemoteOptions = {}
) {
  const processes = new Map<string, RemoteSession>()
  const handedOff = new Map<string, { protocol: RemoteProfile['protocol']; startedAt: string }>()

  const ended = (payload: RemoteSessionEnded) => {
    logger.info('remote session ended', {
      protocol: payload.protocol,
      outcome: payload.outcome,
      code: payload.code ?? null
    })
    platform.emit('remoteSessionEnded', payload)
  }

  const track = (sessionId: string, session: RemoteSession) => {
    processes.set(sessionId, session)
    void session.ended.then((end) => {
      processes.delete(sessionId)
      ended({
        sessionId,
        protocol: session.protocol,
        startedAt: end.startedAt.toISOString(),
        endedAt: end.endedAt.toISOString(),
        outcome: end.outcome,
        ...(end.code ? { code: end.code, detail: end.stderrTail.slice(-300) } : {})
      })
    })
  }

  /** URLs opened for the user: device admin pages and third-party tools' own schemes only. */
  const openChecked = async (url: string): Promise<boolean> => {
    if (!isWebAdminUrl(url) && !isThirdPartyUrl(url)) {
      throw new HandlerError('remote.invalidUrl', 'This address may not be opened.')
    }
    return platform.openExternal(url)
  }

  const handlers: Pick<
    Handlers,
    'credentialSave' | 'credentialDelete' | 'remoteLaunch' | 'remoteEnd'
  > = {
    credentialSave: ({ secret, label }) => ({ credentialRef: vault.save(secret, label) }),

    credentialDelete: ({ credentialRef }) => {
      vault.delete(credentialRef)
      return null
    },

    remoteLaunch: async ({ profile }) => {
      const password = profile.credentialRef ? vault.reveal(profile.credentialRef) : undefined
      const sessionId = randomUUID()
      switch (profile.protocol) {
        case 'rdp': {
          const session = await launchRdp({
            profile,
            ...(password ? { password } : {}),
            testOnlyIgnoreCertificate: options.testOnlyIgnoreRdpCertificate === true
          })
          track(sessionId, session)
          return { sessionId, startedAt: session.startedAt.toISOString() }
        }
        case 'vnc': {
          const session = await launchVnc({ profile, ...(password ? { password } : {}) })
          track(sessionId, session)
          return { sessionId, startedAt: session.startedAt.toISOString() }
        }
        case 'anydesk':
        case 'rustdesk':
        case 'teamviewer': {
          const launched = await launchThirdParty({ profile, openUrl: openChecked })
          if ('session' in launched) {
            track(sessionId, launched.session)
            return { sessionId, startedAt: launched.session.startedAt.toISOString() }
          }
          if (!launched.opened)
            throw new HandlerError('remote.openFailed', 'This computer could not open the tool.')
          break
        }
        case 'web': {
          const { opened } = await openWebAdmin(profile, {
            isAllowed: isWebAdminUrl,
            openExternal: openChecked
          })
          if (!opened)
            throw new HandlerError('remote.openFailed', 'This computer could not open the page.')
          break
        }
        case 'ssh':
          throw new HandlerError('remote.invalidProfile', 'SSH sessions open in a Carnet terminal.')
      }
      const startedAt = new Date().toISOString()
      handedOff.set(sessionId, { protocol: profile.protocol, startedAt })
      return { sessionId, startedAt }
    },

    remoteEnd: async ({ sessionId }) => {
      if (ssh.get(sessionId)) {
        await ssh.close(sessionId)
        return null
      }
      const running = processes.get(sessionId)
      if (running) {
        await running.stop()
        return null
      }
      const manual = handedOff.get(sessionId)
      if (manual) {
        handedOff.delete(sessionId)
        ended({
          sessionId,
          protocol: manual.protocol,
          startedAt: manual.startedAt,
          endedAt: new Date().toISOString(),
          outcome: 'ended'
        })
      }
      return null
    }
  }

  /** True while any remote program or page session is open (updates wait, idle is ignored). */
  const active = () => processes.size > 0 || handedOff.size > 0 || ssh.active
  const release = async (): Promise<void> => {
    await Promise.all([...processes.values()].map((session) => session.release()))
    await ssh.closeAll()
  }
  options.onQuit?.({ release, active })
  return { handlers, active, release }
}
