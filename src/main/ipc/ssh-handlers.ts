import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, renameSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { effectivePort } from '../../shared/remote/remote-profile'
import type { Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import type { CredentialVault } from '../services/credential-vault'
import { HostTrustStore, TRUST_FILE_NAME } from '../services/remote/host-trust'
import { SshManager } from '../services/remote/ssh-manager'
import type { SshCredentials } from '../services/remote/ssh-session'
import { HandlerError, type Handlers } from './dispatch'

/** How long a new host key waits for the technician's answer before it is refused. */
const HOST_KEY_ANSWER_MS = 5 * 60_000

/** A saved secret is a private key when it looks like one; otherwise it is a password. */
function credentialsFrom(secret: string | null): SshCredentials {
  if (secret === null) {
    const agentSocket = process.env['SSH_AUTH_SOCK']
    return agentSocket ? { agentSocket } : {}
  }
  return /^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret.trim())
    ? { privateKey: secret }
    : { password: secret }
}

/**
 * The host-trust store, never a reason for the app not to start. A damaged file is set aside as
 * `.corrupt` (kept for a look, never read again) and the store starts empty, like a first run:
 * every key Carnet itself recorded is unknown again, so the technician is asked again before
 * anything is sent. known_hosts, revoked keys included, is imported again just after.
 */
export function openTrustStore(dataDir: string, logger: Logger): HostTrustStore {
  try {
    return new HostTrustStore(dataDir)
  } catch (error) {
    logger.warn('ssh trust store unreadable: starting empty, host keys will be asked again', {
      error: String(error).slice(0, 200)
    })
  }
  const file = join(dataDir, TRUST_FILE_NAME)
  try {
    renameSync(file, `${file}.corrupt`)
    return new HostTrustStore(dataDir)
  } catch (error) {
    // Not even set aside (read-only folder?): still no key trusted, answers last until quit.
    logger.warn('ssh trust store not set aside: host key answers kept until quit only', {
      error: String(error).slice(0, 200)
    })
    return new HostTrustStore(mkdtempSync(join(tmpdir(), 'carnet-ssh-trust-')))
  }
}

/**
 * SSH terminals over IPC: the main process holds the connection and the credentials; the
 * renderer only sees terminal bytes and host-key questions.
 */
export function createSshHandlers(platform: Platform, logger: Logger, vault: CredentialVault) {
  const trust = openTrustStore(platform.dataDir, logger)
  const knownHosts = join(homedir(), '.ssh', 'known_hosts')
  try {
    // The user's own trust decisions come along once; the file itself is never written.
    if (existsSync(knownHosts)) trust.importKnownHosts(knownHosts)
  } catch (error) {
    logger.warn('known_hosts not imported', { error: String(error).slice(0, 200) })
  }
  const manager = new SshManager({ trust, logger })
  const prompts = new Map<string, (accept: boolean) => void>()

  manager.onSessionEnded((record) => {
    const lost = record.closeReason?.kind === 'lost'
    platform.emit('remoteSessionEnded', {
      sessionId: record.id,
      protocol: 'ssh',
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      outcome: lost ? 'failed' : 'ended',
      ...(lost && record.closeReason?.kind === 'lost'
        ? { code: record.closeReason.error.code, detail: record.closeReason.error.message }
        : {})
    })
  })

  const handlers: Pick<Handlers, 'sshOpen' | 'sshWrite' | 'sshResize' | 'sshHostKeyAnswer'> = {
    sshOpen: async ({ profile, cols, rows }) => {
      if (profile.protocol !== 'ssh' || !profile.host || !profile.username) {
        throw new HandlerError(
          'remote.invalidProfile',
          'An SSH profile needs a host and a user name.'
        )
      }
      const secret = profile.credentialRef ? vault.reveal(profile.credentialRef) : null
      const id = randomUUID()
      const record = await manager.open({
        id,
        host: profile.host,
        port: effectivePort(profile),
        username: profile.username,
        credentials: credentialsFrom(secret),
        cols,
        rows,
        onUnknownHostKey: (prompt) =>
          new Promise<boolean>((resolve) => {
            const promptId = randomUUID()
            const timer = setTimeout(() => {
              prompts.delete(promptId)
              resolve(false)
            }, HOST_KEY_ANSWER_MS)
            prompts.set(promptId, (accept) => {
              clearTimeout(timer)
              prompts.delete(promptId)
              resolve(accept)
            })
            platform.emit('sshHostKeyPrompt', { promptId, ...prompt })
          })
      })
      manager.get(id)?.onData((data) => platform.emit('sshData', { sessionId: id, data }))
      return { sessionId: id, startedAt: record.startedAt }
    },

    sshWrite: ({ sessionId, data }) => {
      const session = manager.get(sessionId)
      if (!session) throw new HandlerError('ssh.closed', 'This terminal is closed.')
      session.write(data)
      return null
    },

    sshResize: ({ sessionId, cols, rows }) => {
      manager.get(sessionId)?.resize(cols, rows)
      return null
    },

    sshHostKeyAnswer: ({ promptId, accept }) => {
      const answer = prompts.get(promptId)
      if (!answer)
        throw new HandlerError('ssh.promptExpired', 'This question has expired: connect again.')
      answer(accept)
      return null
    }
  }
  return { handlers, manager }
}
