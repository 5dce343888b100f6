/**
 * Failures of remote-session profiles and launchers. Codes are stable identifiers the UI maps to
 * French and English text; messages are English, for logs and developers, and never carry a
 * secret (a rejected value is described, not echoed).
 */
export type RemoteErrorCode =
  | 'remote.invalidProfile'
  | 'remote.invalidHost'
  | 'remote.invalidPort'
  | 'remote.invalidUser'
  | 'remote.invalidDomain'
  | 'remote.invalidValue'
  | 'remote.controlCharacter'
  | 'remote.tooLong'
  | 'remote.invalidId'
  | 'remote.invalidUrl'
  | 'remote.unsupportedProtocol'
  | 'remote.unsupportedPlatform'
  | 'remote.clientMissing'
  | 'remote.launchFailed'
  | 'remote.credentialFailed'
  | 'remote.unreachable'
  | 'remote.authFailed'
  | 'remote.clientFailed'

export class RemoteError extends Error {
  readonly code: RemoteErrorCode
  readonly details?: unknown
  override readonly name = 'RemoteError'

  constructor(code: RemoteErrorCode, message: string, details?: unknown) {
    super(message)
    this.code = code
    if (details !== undefined) this.details = details
    // Keeps `instanceof` working when down-compiled to ES5-style classes.
    Object.setPrototypeOf(this, new.target.prototype)
  }
}

/** Tells whether a caught value is a RemoteError, also after crossing IPC (shape, not class). */
export function isRemoteError(e: unknown): e is RemoteError {
  if (e instanceof RemoteError) return true
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'RemoteError' &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  )
}
