/**
 * Every failure the domain core can report. Codes are stable identifiers that the UI maps to
 * French text and the server returns verbatim; messages are English, for logs and developers.
 */
export type DomainErrorCode =
  | 'time.invalidDate'
  | 'time.endBeforeStart'
  | 'time.zeroLength'
  | 'time.tooLong'
  | 'units.invalidPolicy'
  | 'status.illegalTransition'
  | 'status.locked'
  | 'validation.failed'
  | 'record.notFound'
  | 'entry.alreadyVoided'
  | 'timer.none'
  | 'timer.running'
  | 'timer.invalidSplit'
  | 'timer.unrecorded'
  | 'sync.pendingOtherUser'
  | 'sync.pendingChanges'
  | 'sync.timerRunning'

/** An expected, explainable failure of a business rule (as opposed to a programming bug). */
export class DomainError extends Error {
  readonly code: DomainErrorCode
  readonly details?: unknown
  override readonly name = 'DomainError'

  constructor(code: DomainErrorCode, message: string, details?: unknown) {
    super(message)
    this.code = code
    if (details !== undefined) this.details = details
    // Keeps `instanceof` working when the code is down-compiled to ES5-style classes.
    Object.setPrototypeOf(this, new.target.prototype)
  }
}

/**
 * Tells whether a caught value is a DomainError, also when it crossed a realm or IPC boundary
 * (where `instanceof` fails but the shape survives).
 *
 * @param e - anything that was thrown
 */
export function isDomainError(e: unknown): e is DomainError {
  if (e instanceof DomainError) return true
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'DomainError' &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  )
}
