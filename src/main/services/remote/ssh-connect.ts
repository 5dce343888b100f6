import { Client, type ServerHostKeyAlgorithm, type VerifyCallback } from 'ssh2'
import type { HostTrustStore } from './host-trust'
import { fingerprintOf, type HostKeyType } from './known-hosts'
import {
  createAuthHandler,
  parsePrivateKey,
  type KeyboardInteractiveAsker,
  type SshCredentials
} from './ssh-auth'
import { mapSsh2Error, SshError, type SshLogger } from './ssh-errors'

/** What the UI shows before the user accepts a key it has never seen. */
export interface HostKeyPrompt {
  host: string
  port: number
  fingerprint: string
  keyType: string
}

export interface SshConnectOptions {
  host: string
  port?: number
  username: string
  credentials: SshCredentials
  trust: HostTrustStore
  onUnknownHostKey: (prompt: HostKeyPrompt) => Promise<boolean>
  onKeyboardInteractive?: KeyboardInteractiveAsker
  logger: SshLogger
  /** Connect, key exchange and login, not counting the time the user spends deciding. */
  timeoutMs?: number
  keepaliveIntervalMs?: number
  signal?: AbortSignal
}

export interface ConnectedClient {
  client: Client
  fingerprint: string
}

const HOST_KEY_ALGORITHMS: Record<HostKeyType, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  // Old switches and appliances still only have RSA keys; SHA-1 signatures come last.
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
}

/** Known key types first, as OpenSSH does, so a known host is not mistaken for a new one. */
export function hostKeyAlgorithms(known: HostKeyType[]): ServerHostKeyAlgorithm[] {
  const all = Object.values(HOST_KEY_ALGORITHMS).flat()
  const first = known.flatMap((type) => HOST_KEY_ALGORITHMS[type])
  return [...first, ...all.filter((a) => !first.includes(a))]
}

/**
 * What a key re-exchange must show: the key accepted at connection time. Any other one
 * mid-session is refused (an attacker who took over the path), with both fingerprints; null when
 * it is the same key.
 */
export function rekeyRefusal(
  accepted: Buffer,
  offered: Buffer,
  where: { host: string; port: number; expected: string }
): SshError | null {
  if (offered.equals(accepted)) return null
  const got = fingerprintOf(offered)
  return new SshError(
    'ssh.hostKeyChanged',
    `The key of ${where.host}:${where.port} changed during the session (expected ` +
      `${where.expected}, got ${got}). This may be an attack; the connection was closed.`,
    { ...where, got }
  )
}

/**
 * Opens an authenticated ssh2 connection. The host key is checked against the trust store before
 * ssh2 reaches the user-auth phase: a refused key ends the handshake, so no credential is sent.
 */
export function connectSsh(options: SshConnectOptions): Promise<ConnectedClient> {
  const { host, username, trust, logger } = options
  const port = options.port ?? 22
  const log = { host, port }
  if (!host || /[\s\0]/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535)
    return Promise.reject(new SshError('ssh.badOptions', 'Invalid host or port.', log))
  let key
  try {
    key = parsePrivateKey(options.credentials)
  } catch (error) {
    return Promise.reject(error)
  }

  return new Promise<ConnectedClient>((resolve, reject) => {
    const client = new Client()
    const timeoutMs = options.timeoutMs ?? 20_000
    let timer: NodeJS.Timeout | undefined
    let failure: SshError | undefined
    let verified = false
    /** The key accepted by the first exchange; every re-exchange must offer exactly this one. */
    let acceptedKey: Buffer | undefined
    let fingerprint = ''
    let settled = false

    const fail = (error: SshError): void => {
      failure ??= error
      client.destroy()
    }
    const armTimeout = (): void => {
      clearTimeout(timer)
      timer = setTimeout(
        () => fail(new SshError('ssh.timeout', `${host}:${port} did not answer in time.`, log)),
        timeoutMs
      )
    }
    const pauseTimeout = (): void => clearTimeout(timer)
    const onAbort = (): void => fail(new SshError('ssh.closed', 'Connection cancelled.', log))
    const settle = (error?: SshError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve({ client, fingerprint })
    }

    // ssh2 calls the verifier again on every key re-exchange, which servers start on their own
    // (Cisco IOS hourly, Dropbear every 8 h, OpenSSH by RekeyLimit), long after login. It is the
    // same connection: no prompt, and hands off the connect timer, which re-armed after 'ready'
    // would cut a working terminal when it fired.
    const reverify = (keyBlob: Buffer, verify: VerifyCallback, accepted: Buffer): void => {
      const error = rekeyRefusal(accepted, keyBlob, { ...log, expected: fingerprint })
      if (!error) return verify(true)
      logger.warn('ssh host key changed on re-exchange', { ...log, ...error.details })
      // Before 'ready' our own error handler reports `failure`. After it, the session owns the
      // client's errors and maps an SshError as it is, so it is emitted before ssh2's generic
      // "Host denied" and the user sees why the terminal closed.
      failure ??= error
      if (settled) client.emit('error', error)
      verify(false)
    }

    const hostVerifier = (keyBlob: Buffer, verify: VerifyCallback): void => {
      if (acceptedKey) return reverify(keyBlob, verify, acceptedKey)
      pauseTimeout()
      const accept = (): void => {
        verified = true
        acceptedKey = Buffer.from(keyBlob)
        logger.info('ssh host key verified', { ...log, fingerprint })
        armTimeout()
        verify(true)
      }
      const refuse = (error: SshError): void => {
        failure ??= error
        logger.warn('ssh host key refused', { ...log, code: error.code, fingerprint })
        verify(false)
      }
      fingerprint = fingerprintOf(keyBlob)
      const verdict = trust.verify(host, port, keyBlob)
      if (verdict === 'trusted') return accept()
      if ('changed' in verdict) {
        return refuse(
          new SshError(
            'ssh.hostKeyChanged',
            `The key of ${host}:${port} has changed (expected ${verdict.expected}, got ${verdict.got}). ` +
              'This may be an attack; nothing was sent.',
            { ...log, expected: verdict.expected, got: verdict.got, keyType: verdict.keyType }
          )
        )
      }
      if ('revoked' in verdict) {
        return refuse(
          new SshError('ssh.hostKeyRevoked', `The key of ${host}:${port} is revoked.`, {
            ...log,
            got: verdict.fingerprint
          })
        )
      }
      if ('unsupported' in verdict) {
        return refuse(
          new SshError('ssh.hostKeyUnsupported', `Unsupported host key type ${verdict.keyType}.`, {
            ...log,
            keyType: verdict.keyType
          })
        )
      }
      const declined = new SshError(
        'ssh.hostKeyUnknown',
        `The key of ${host}:${port} was not accepted.`,
        { ...log, got: verdict.fingerprint, keyType: verdict.keyType }
      )
      options
        .onUnknownHostKey({ host, port, fingerprint, keyType: verdict.keyType })
        .then((accepted) => {
          if (settled || failure) return verify(false)
          if (!accepted) return refuse(declined)
          trust.trust(host, port, keyBlob)
          accept()
        })
        .catch(() => refuse(declined))
    }

    client.on('ready', () => settle())
    // Once connected, the session owns the client's errors and its end; these only cover setup.
    client.on('error', (error) => {
      if (settled) return
      failure ??= mapSsh2Error(error, host, port)
      client.destroy()
    })
    client.on('close', () =>
      settle(failure ?? new SshError('ssh.closed', `${host} closed the connection.`, log))
    )
    if (options.signal?.aborted) return settle(new SshError('ssh.closed', 'Cancelled.', log))
    options.signal?.addEventListener('abort', onAbort)

    logger.info('ssh connecting', { ...log, username })
    armTimeout()
    client.connect({
      host,
      port,
      username,
      hostVerifier,
      authHandler: createAuthHandler({
        username,
        credentials: options.credentials,
        key,
        askKeyboardInteractive: options.onKeyboardInteractive,
        hostKeyVerified: () => verified,
        logger,
        logContext: log,
        pauseTimeout,
        resumeTimeout: armTimeout
      }),
      algorithms: { serverHostKey: hostKeyAlgorithms(trust.knownKeyTypes(host, port)) },
      // Our own timer replaces readyTimeout, which would also count the user's decision time.
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      agentForward: false
    })
  })
}
