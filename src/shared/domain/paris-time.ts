/**
 * Calendar arithmetic in the billing time zone. Agreements are French, so "a day" for the `day`
 * rounding scope and for agreement validity is a Europe/Paris calendar day, whatever the zone of
 * the laptop or server doing the maths.
 */

import { DomainError } from './errors'

export const BILLING_TIME_ZONE = 'Europe/Paris'

const DAY_MS = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

// Creating a DateTimeFormat costs far more than using one, and unitsFor/secondsUntilNextUnit
// call into this module many times per second while a timer runs.
let formatter: Intl.DateTimeFormat | undefined

function parisFormatter(): Intl.DateTimeFormat {
  formatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: BILLING_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23'
  })
  return formatter
}

/** The Paris wall clock of an instant as the platform's time-zone data prints it (slow: ~10 µs). */
function formattedWallClock(ms: number): WallClock {
  const fields: Record<string, number> = {}
  for (const part of parisFormatter().formatToParts(ms)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return {
    year: fields.year ?? NaN,
    month: fields.month ?? NaN,
    day: fields.day ?? NaN,
    // Some engines print midnight as 24 even with h23; normalise defensively.
    hour: (fields.hour ?? NaN) % 24,
    minute: fields.minute ?? NaN,
    second: fields.second ?? NaN
  }
}

const HOUR_MS = 3_600_000
/** Paris offset by UTC hour (see parisOffsetMs); bounded, a server runs for months. */
const offsetByHour = new Map<number, number>()
const MAX_CACHED_HOURS = 20_000

function formattedOffsetMs(ms: number): number {
  const w = formattedWallClock(ms)
  return utcOf(w.year, w.month, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000
}

/**
 * Paris offset from UTC at an instant, in ms (3 600 000 in winter, 7 200 000 in summer). Asking
 * the formatter costs ~10 µs, and the server's unit recomputation asks several times per time
 * entry, so the offset is kept per UTC hour: every Paris change since 1976 happens on a whole UTC
 * hour. An hour whose first and last milliseconds disagree (a historic change inside the hour)
 * is never kept and always asked afresh, so the cache cannot change an answer.
 */
function parisOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS)
  const known = offsetByHour.get(hour)
  if (known !== undefined) return known
  const first = formattedOffsetMs(hour * HOUR_MS)
  if (first !== formattedOffsetMs(hour * HOUR_MS + HOUR_MS - 1)) return formattedOffsetMs(ms)
  if (offsetByHour.size >= MAX_CACHED_HOURS) offsetByHour.clear()
  offsetByHour.set(hour, first)
  return first
}

function wallClock(ms: number): WallClock {
  const local = new Date(Math.floor(ms / 1000) * 1000 + parisOffsetMs(ms))
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds()
  }
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1-12; the day may run past its month,
 * it counts on linearly), as Date does, but by arithmetic: no Date object per call, for the unit
 * maths and the instant parser run on every entry of every push.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/**
 * UTC milliseconds of a wall-clock reading (month 1-12; day, hour... may run over, they count
 * on linearly), with year 0-99 kept literal (Date.UTC maps them to 19xx).
 */
export function utcOf(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0
): number {
  return (((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second) * 1000
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Whether year-month-day is a real date of the proleptic Gregorian calendar. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(month) || month < 1 || month > 12 || day < 1) return false
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= (month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] as number))
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`
}

function assertFiniteMs(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid instant: ${ms}`)
}

/**
 * The Paris calendar date of an instant.
 *
 * @param ms - milliseconds since the Unix epoch
 * @returns 'YYYY-MM-DD'
 */
export function parisDate(ms: number): string {
  assertFiniteMs(ms)
  const w = wallClock(ms)
  return formatDate(w.year, w.month, w.day)
}

/**
 * The first Paris midnight strictly after an instant. DST changes in Paris happen at 02:00/03:00,
 * so midnight always exists exactly once; the offset is re-read at the candidate instant because
 * it may differ from the offset at `ms` (the days of 2024-03-31 and 2024-10-27 are 23 h and 25 h).
 *
 * @param ms - milliseconds since the Unix epoch
 * @returns milliseconds since the Unix epoch of the next 00:00 Europe/Paris
 */
export function nextParisMidnight(ms: number): number {
  assertFiniteMs(ms)
  const w = wallClock(ms)
  const localMidnight = utcOf(w.year, w.month, w.day + 1)
  const firstGuess = localMidnight - parisOffsetMs(ms)
  return localMidnight - parisOffsetMs(firstGuess)
}

/**
 * Cuts [startMs, endMs) at every Paris midnight, in milliseconds. Kept in integer ms so the
 * unit maths downstream stays exact.
 *
 * @returns one element per Paris day touched, in order; empty when endMs <= startMs
 */
export function splitByParisDayMs(
  startMs: number,
  endMs: number
): Array<{ day: string; ms: number }> {
  assertFiniteMs(startMs)
  assertFiniteMs(endMs)
  const parts: Array<{ day: string; ms: number }> = []
  let cursor = startMs
  while (cursor < endMs) {
    const boundary = nextParisMidnight(cursor)
    const segmentEnd = Math.min(boundary, endMs)
    parts.push({ day: parisDate(cursor), ms: segmentEnd - cursor })
    cursor = segmentEnd
  }
  return parts
}

/**
 * Cuts [startMs, endMs) at every Paris midnight.
 *
 * @returns one element per Paris day touched with its (possibly fractional) seconds
 */
export function splitByParisDay(
  startMs: number,
  endMs: number
): Array<{ day: string; seconds: number }> {
  return splitByParisDayMs(startMs, endMs).map(({ day, ms }) => ({ day, seconds: ms / 1000 }))
}

/**
 * Today's date in Paris, which is the date used for agreement validity and balances.
 *
 * @param nowMs - the current instant, injected so callers and tests control the clock
 */
export function parisToday(nowMs: number): string {
  return parisDate(nowMs)
}

/**
 * Whether a string is a 'YYYY-MM-DD' date that exists in the calendar (no 2023-02-29).
 *
 * @param value - the candidate
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = ISO_DATE.exec(value)
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))
}

/**
 * Calendar arithmetic on 'YYYY-MM-DD' dates, independent of any time zone.
 *
 * @param date - a valid ISO date
 * @param days - how many days to add (may be negative)
 */
export function addDays(date: string, days: number): string {
  const ms = isoDateToUtc(date) + days * DAY_MS
  const d = new Date(ms)
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

/**
 * Whole calendar days from `from` to `to` (negative when `to` is earlier).
 *
 * @param from - a valid ISO date
 * @param to - a valid ISO date
 */
export function daysBetween(from: string, to: string): number {
  return Math.round((isoDateToUtc(to) - isoDateToUtc(from)) / DAY_MS)
}

function isoDateToUtc(date: string): number {
  if (!isIsoDate(date)) {
    throw new DomainError(
      'time.invalidDate',
      `"${date}" is not a valid date (expected YYYY-MM-DD).`,
      {
        value: date
      }
    )
  }
  return utcOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)))
}
