import { DomainError } from './errors'
import { isCalendarDate, utcOf } from './paris-time'

/** The value of the `count` ASCII digits of `text` at `at`, or -1 if any is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48
    // charCodeAt past the end is NaN, which fails this test too.
    if (!(digit >= 0 && digit <= 9)) return -1
    value = value * 10 + digit
  }
  return value
}

const COLON = 58
const DOT = 46

/** The first and last instants of years 0000-9999 in UTC, the span every reader takes. */
const FIRST_MS = utcOf(0, 1, 1)
const LAST_MS = utcOf(9999, 12, 31, 23, 59, 59) + 999

/**
 * An ISO-8601 instant (as parseInstant) in epoch ms, or null when it is not one:
 * `YYYY-MM-DDTHH:MM[:SS[.1-9 digits]]` then `Z` or `±HH:MM`, still within years 0000-9999 once
 * in UTC. Deliberately narrower than Date.parse: only unambiguous instants, never a local time
 * without offset (its meaning would depend on the machine's zone) nor free text like
 * "yesterday". Read character by character with integer arithmetic, no regex match nor Date:
 * every entry of every push is parsed several times, and a match array per call was a fifth of
 * what a push allocated.
 */
export function tryParseInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null
  const text = value
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  const hour = digitsAt(text, 11, 2)
  const minute = digitsAt(text, 14, 2)
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text.charCodeAt(13) !== COLON
  )
    return null
  let at = 16
  let second = 0
  let millis = 0
  if (text.charCodeAt(at) === COLON) {
    second = digitsAt(text, at + 1, 2)
    if (second < 0) return null
    at += 3
    if (text.charCodeAt(at) === DOT) {
      const first = ++at
      // Milliseconds are the first three digits; further ones are dropped, not rounded.
      for (let digit = digitsAt(text, at, 1); digit >= 0; digit = digitsAt(text, ++at, 1))
        if (at - first < 3) millis = millis * 10 + digit
      const count = at - first
      if (count === 0 || count > 9) return null
      if (count < 3) millis *= 10 ** (3 - count)
    }
  }
  let offsetMinutes = 0
  const sign = text[at]
  if (sign === 'Z') {
    at += 1
  } else if (sign === '+' || sign === '-') {
    const oh = digitsAt(text, at + 1, 2)
    const om = digitsAt(text, at + 4, 2)
    if (oh < 0 || om < 0 || text.charCodeAt(at + 3) !== COLON || oh > 23 || om > 59) return null
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om)
    at += 6
  } else {
    return null
  }
  if (at !== text.length) return null
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null
  const ms = utcOf(year, month, day, hour, minute, second) + millis - offsetMinutes * 60_000
  // An offset can carry a written year 9999 or 0000 past it in UTC, the form in which instants
  // are stored and synced; such an instant could be written once and then never read back.
  return ms < FIRST_MS || ms > LAST_MS ? null : ms
}

/**
 * Whether a value is an ISO-8601 date-time with Z or a ±hh:mm offset, on a real calendar date.
 *
 * @param value - the candidate
 */
export function isIsoInstant(value: unknown): value is string {
  return tryParseInstant(value) !== null
}

/**
 * Parses an ISO-8601 instant strictly.
 *
 * @param iso - e.g. '2024-03-31T09:15:00+02:00' or '2024-03-31T07:15:00Z'
 * @returns milliseconds since the Unix epoch
 * @throws DomainError 'time.invalidDate' on anything else
 */
export function parseInstant(iso: string): number {
  const ms = tryParseInstant(iso)
  if (ms === null) {
    throw new DomainError(
      'time.invalidDate',
      `"${String(iso)}" is not a valid date and time (expected e.g. 2024-03-31T09:15:00+02:00).`,
      { value: iso }
    )
  }
  return ms
}
