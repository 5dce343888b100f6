import { DomainError } from './errors'

export const INTERVENTION_STATUSES = ['planned', 'inProgress', 'onHold', 'done', 'signed'] as const
export type InterventionStatus = (typeof INTERVENTION_STATUSES)[number]

// `done → inProgress` exists because technicians reopen work the referent has not signed yet;
// once signed, units are locked and corrections go through an audited adjustment instead.
const TRANSITIONS: Readonly<Record<InterventionStatus, readonly InterventionStatus[]>> = {
  planned: ['inProgress', 'onHold'],
  inProgress: ['onHold', 'done'],
  onHold: ['inProgress', 'done'],
  done: ['inProgress', 'signed'],
  signed: []
}

/**
 * The statuses an intervention may move to next.
 *
 * @param from - the current status
 */
export function allowedTransitions(from: InterventionStatus): readonly InterventionStatus[] {
  return TRANSITIONS[from] ?? []
}

/**
 * Whether moving from one status to another is allowed (staying put is not a transition).
 *
 * @param from - the current status
 * @param to - the wanted status
 */
export function canTransition(from: InterventionStatus, to: InterventionStatus): boolean {
  return allowedTransitions(from).includes(to)
}

/**
 * Throws unless the transition is allowed.
 *
 * @throws DomainError 'status.locked' when the intervention is signed,
 *   'status.illegalTransition' for any other refused move
 */
export function assertTransition(from: InterventionStatus, to: InterventionStatus): void {
  if (isLocked(from)) {
    throw new DomainError(
      'status.locked',
      `This intervention has been signed by the referent and can no longer change (to "${to}").`,
      { from, to }
    )
  }
  if (!canTransition(from, to)) {
    const allowed = allowedTransitions(from).join(', ') || 'none'
    throw new DomainError(
      'status.illegalTransition',
      `An intervention cannot go from "${from}" to "${to}" (allowed: ${allowed}).`,
      { from, to, allowed: allowedTransitions(from) }
    )
  }
}

/**
 * Whether the intervention is frozen: signed by the referent, units locked.
 *
 * @param status - the current status
 */
export function isLocked(status: InterventionStatus): boolean {
  return status === 'signed'
}

/**
 * Whether time may still be recorded on the intervention. Only a signed one refuses: work
 * recorded on a planned or done intervention is real work and must not be lost.
 *
 * @param status - the current status
 */
export function acceptsTimeEntries(status: InterventionStatus): boolean {
  return !isLocked(status)
}
