import type { Logger } from '../logger'

/** What the SSH service may log through; secrets are never passed to it. */
export type SshLogger = Pick<Logger, 'info' | 'warn' | 'error'>

export type SshErrorCode =
  | 'ssh.hostKeyChanged'
  | 'ssh.hostKeyUnknown'
  | 'ssh.hostKeyRevoked'
  | 'ssh.hostKeyUnsupported'
  | 'ssh.authFailed'
  | 'ssh.badKey'
  | 'ssh.badOptions'
  | 'ssh.unreachable'
  | 'ssh.timeout'
  | 'ssh.protocol'
  | 'ssh.closed'

/** Details the UI needs to explain a refusal, e.g. both fingerprints of a changed key. */
export interface SshErrorDetails {
  host?: string
  port?: number
  expected?: string
  got?: string
  keyType?: string | null
  cause?: string
}

/**
 * Every failure of the SSH service carries one of these codes; the renderer translates the code
 * (French and English) and may show the English message as a detail.
 */
export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
    readonly details: SshErrorDetails = {}
  ) {
    super(message)
    this.name = 'SshError'
  }
}

interface Ssh2LikeError extends Error {
  level?: string
  code?: string
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EADDRNOTAVAIL'
])

/**
 * ssh2 reports failures as plain errors with a `level`; map them to our codes. The messages
 * come from ssh2 and the OS and never contain credentials, so they are kept as the cause.
 */
export function mapSsh2Error(error: unknown, host: string, port: number): SshError {
  if (error instanceof SshError) return error
  const e = (error instanceof Error ? error : new Error(String(error))) as Ssh2LikeError
  const details: SshErrorDetails = { host, port, cause: e.message }
  if (e.level === 'client-authentication')
    return new SshError('ssh.authFailed', `The server refused the login on ${host}.`, details)
  if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT')
    return new SshError('ssh.timeout', `${host}:${port} did not answer in time.`, details)
  if (e.level === 'client-socket' || (e.code !== undefined && UNREACHABLE.has(e.code)))
    return new SshError('ssh.unreachable', `Cannot reach ${host}:${port} (${e.message}).`, details)
  return new SshError('ssh.protocol', `The SSH exchange with ${host} failed: ${e.message}`, details)
}
