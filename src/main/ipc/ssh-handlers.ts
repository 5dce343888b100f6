import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
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
 * The host-trust store, or null when its file cannot be read. Starting empty would turn every
 * changed key into an "unknown" one the technician might accept (HostTrustStore refuses to load
 * for that reason), and failing would keep the whole app from starting: so SSH alone stays off,
 * saying why, until the file is repaired or moved away; nothing is renamed or rewritten.
 */
export function openTrustStore(dataDir: string, logger: Logger): HostTrustStore | null {
  try {
    return new HostTrustStore(dataDir)
  } catch (error) {
    logger.warn('ssh trust store unreadable: SSH is off until it is repaired or moved away', {
      file: join(dataDir, TRUST_FILE_NAME),
      error: String(error).slice(0, 200)
    })
    return null
  }
}

/**
 * SSH terminals over IPC: the main process holds the connection and the credentials; the
 * renderer only sees terminal bytes and host-key questions.
 */
export function createSshHandlers(platform: Platform, logger: Logger, vault: CredentialVault) {
  const opened = openTrustStore(platform.dataDir, logger)
  const knownHosts = join(homedir(), '.ssh', 'known_hosts')
  try {
    // The user's own trust decisions come along once; the file itself is never written.
    if (opened && existsSync(knownHosts)) opened.importKnownHosts(knownHosts)
  } catch (error) {
    logger.warn('known_hosts not imported', { error: String(error).slice(0, 200) })
  }
  // Without a readable store sshOpen refuses before any connection, so this empty one is never
  // consulted or written (its folder does not exist): it only gives the manager its shape.
  const trust = opened ?? new HostTrustStore(join(platform.dataDir, 'ssh-trust-unavailable'))
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
      if (!opened)
        throw new HandlerError(
          'hostTrust.damaged',
          `The file of trusted SSH host keys cannot be read (${join(platform.dataDir, TRUST_FILE_NAME)}): repair it or move it away; SSH stays off until then.`
        )
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
