import { DomainError } from './errors'
import { daysBetween, isIsoDate } from './paris-time'

export type ConventionState = 'active' | 'low' | 'exhausted' | 'expired' | 'terminated'

/** Share of purchased units consumed (synced + pending) from which the agreement is "low". */
export const LOW_THRESHOLD = 0.8

export interface BalanceInput {
  unitsPurchased: number
  unitsConsumed: number
  unitsPending: number
  /** 'YYYY-MM-DD' */
  startsOn: string
  /** 'YYYY-MM-DD', last day of validity (inclusive) */
  endsOn: string
  terminatedOn?: string | null
}

export interface Balance {
  purchased: number
  consumed: number
  pending: number
  /** purchased − consumed − pending; negative when work went past the block */
  remaining: number
  /** (consumed + pending) / purchased; 1 or more when exhausted */
  usedRatio: number
  state: ConventionState
  /** units beyond purchased, ≥ 0 */
  overrun: number
  /** whole days from today to endsOn (0 on the last day, and once expired or terminated) */
  daysLeft: number
}

function checkInput(input: BalanceInput, today: string): void {
  const counts = [input.unitsPurchased, input.unitsConsumed, input.unitsPending]
  if (counts.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new DomainError(
      'validation.failed',
      'Unit counts of an agreement must be finite numbers, zero or more.',
      { input }
    )
  }
  const dates = [
    input.startsOn,
    input.endsOn,
    today,
    ...(input.terminatedOn ? [input.terminatedOn] : [])
  ]
  const bad = dates.find((d) => !isIsoDate(d))
  if (bad !== undefined) {
    throw new DomainError(
      'time.invalidDate',
      `"${bad}" is not a valid date (expected YYYY-MM-DD).`,
      {
        value: bad
      }
    )
  }
}

/**
 * The balance of an agreement and its state on a given Paris day. Work past the purchased units
 * is never refused (it happened), so remaining may go negative and is reported as overrun.
 * State precedence: terminated > expired > exhausted > low > active.
 *
 * @param today - the Paris calendar date, see parisToday
 * @throws DomainError 'validation.failed' | 'time.invalidDate' on malformed input
 */
export function balanceFor(input: BalanceInput, today: string): Balance {
  checkInput(input, today)
  const purchased = input.unitsPurchased
  const consumed = input.unitsConsumed
  const pending = input.unitsPending
  const used = consumed + pending
  const usedRatio = purchased > 0 ? used / purchased : 1
  // ISO dates compare correctly as strings.
  const terminated = input.terminatedOn != null && input.terminatedOn <= today
  const expired = today > input.endsOn

  let state: ConventionState
  if (terminated) state = 'terminated'
  else if (expired) state = 'expired'
  else if (used >= purchased) state = 'exhausted'
  // The epsilon absorbs 0.8 × n not being exact in binary (0.8 × 3 = 2.4000000000000004).
  else if (used >= purchased * LOW_THRESHOLD - 1e-9) state = 'low'
  else state = 'active'

  return {
    purchased,
    consumed,
    pending,
    remaining: purchased - used,
    usedRatio,
    state,
    overrun: Math.max(0, used - purchased),
    daysLeft: terminated || expired ? 0 : Math.max(0, daysBetween(today, input.endsOn))
  }
}

/**
 * What to warn the technician about before starting work under this agreement. Warnings never
 * block: the work is accepted and flagged.
 *
 * @param balance - from balanceFor
 */
export function warningFor(
  balance: Balance
): 'none' | 'low' | 'exhausted' | 'expired' | 'terminated' {
  return balance.state === 'active' ? 'none' : balance.state
}
