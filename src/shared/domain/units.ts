import { z } from 'zod'
import { DomainError, isDomainError, type DomainErrorCode } from './errors'
import { parseInstant, tryParseInstant } from './instants'
import { splitByParisDayMs } from './paris-time'

// Instants are read in instants.ts; re-exported here, where the unit maths first needed them.
export { isIsoInstant, parseInstant, tryParseInstant } from './instants'

/** One billing unit: 15 minutes of action ("chaque unité de temps engagée sera décomptée"). */
export const UNIT_SECONDS = 900
/** A single time entry longer than this is almost certainly a forgotten timer. */
export const MAX_ENTRY_SECONDS = 86400

const UNIT_MS = UNIT_SECONDS * 1000
const MAX_ENTRY_MS = MAX_ENTRY_SECONDS * 1000

export const UNITS_SCOPES = ['intervention', 'entry', 'day'] as const
export type UnitsScope = (typeof UNITS_SCOPES)[number]

export interface UnitsPolicy {
  scope: UnitsScope
  graceSeconds?: number
  minimumUnits?: number
}

export const unitsPolicySchema = z.strictObject({
  scope: z.enum(UNITS_SCOPES),
  graceSeconds: z
    .int()
    .min(0)
    .max(UNIT_SECONDS - 1)
    .optional(),
  minimumUnits: z.int().min(0).max(1000).optional()
})

export const DEFAULT_POLICY: UnitsPolicy = { scope: 'intervention' }

/** A span of action time, ISO-8601 instants with an explicit offset or Z. */
export interface TimeSpan {
  startedAt: string
  endedAt: string
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms))

/**
 * What is wrong with a span's length, if anything. Shared by the unit maths (where a zero-length
 * span is harmless) and the entry schemas (where a stored entry must last at least 1 ms).
 *
 * @param requirePositive - report 'time.zeroLength' when end equals start
 */
export function spanIssue(
  startMs: number,
  endMs: number,
  requirePositive: boolean
): { code: DomainErrorCode; message: string } | null {
  // Only worded when there is an issue: the unit maths checks every stored span on each pass.
  const range = () => `start ${iso(startMs)}, end ${iso(endMs)}`
  if (endMs < startMs) {
    return {
      code: 'time.endBeforeStart',
      message: `The end time is before the start time (${range()}).`
    }
  }
  if (requirePositive && endMs === startMs) {
    return { code: 'time.zeroLength', message: `The end time equals the start time (${range()}).` }
  }
  if (endMs - startMs > MAX_ENTRY_MS) {
    return {
      code: 'time.tooLong',
      message: `A time entry cannot last more than 24 hours (${range()}); was a timer left running?`
    }
  }
  return null
}

/**
 * Parses and checks one span: both instants valid, end not before start, at most 24 h.
 * A zero-length span is accepted (it simply counts 0 seconds).
 *
 * @throws DomainError 'time.invalidDate' | 'time.endBeforeStart' | 'time.tooLong'
 */
export function validateSpan(span: TimeSpan): { startMs: number; endMs: number } {
  const startMs = parseInstant(span.startedAt)
  const endMs = parseInstant(span.endedAt)
  const issue = spanIssue(startMs, endMs, false)
  if (issue) throw new DomainError(issue.code, issue.message, { span })
  return { startMs, endMs }
}

function checkPolicy(policy: UnitsPolicy): UnitsPolicy {
  const parsed = unitsPolicySchema.safeParse(policy)
  if (!parsed.success) {
    throw new DomainError(
      'units.invalidPolicy',
      `The agreement's unit policy is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}.`,
      { policy, issues: parsed.error.issues }
    )
  }
  return parsed.data
}

/**
 * Ceil of amount / unit, immune to the division rounding onto an integer when the amount is a
 * hair above a boundary (15:00.000001 must still start a second unit).
 */
function ceilDiv(amount: number, unit: number): number {
  let q = Math.ceil(amount / unit)
  while (q * unit < amount) q += 1
  while ((q - 1) * unit >= amount) q -= 1
  return q
}

/** The one-chunk rule: nothing for no time, else every started unit, grace after the first. */
function chunkUnits(amount: number, grace: number, unit: number): number {
  if (!(amount > 0)) return 0
  return Math.max(1, ceilDiv(amount - grace, unit))
}

/**
 * Units for one chunk of action time: 0 for none, otherwise every started 15-minute unit, with
 * the policy's grace forgiven past each boundary. No minimum is applied here.
 *
 * @param seconds - raw action seconds, may be fractional
 * @throws DomainError 'units.invalidPolicy' | 'validation.failed' (non-finite seconds)
 */
export function unitsForSeconds(seconds: number, policy: UnitsPolicy): number {
  const p = checkPolicy(policy)
  if (!Number.isFinite(seconds)) {
    throw new DomainError('validation.failed', `Not a number of seconds: ${seconds}.`, { seconds })
  }
  return chunkUnits(seconds, p.graceSeconds ?? 0, UNIT_SECONDS)
}

type Span = { startMs: number; endMs: number }
/** Raw ms per rounding chunk; the key says what a chunk is (whole intervention, entry, day). */
type Chunks = Map<string, number>

/** Adds a span to its chunks; `entry` is its position, the chunk key under the entry scope. */
function addSpan(chunks: Chunks, span: Span, scope: UnitsScope, entry: number): void {
  if (span.endMs <= span.startMs) return
  if (scope === 'day') {
    for (const part of splitByParisDayMs(span.startMs, span.endMs))
      chunks.set(part.day, (chunks.get(part.day) ?? 0) + part.ms)
    return
  }
  // The entry key is only built under that scope: the others run on every push's entries.
  const key = scope === 'entry' ? `entry:${entry}` : 'all'
  chunks.set(key, (chunks.get(key) ?? 0) + span.endMs - span.startMs)
}

function chunksOf(spans: readonly Span[], scope: UnitsScope): Chunks {
  const chunks: Chunks = new Map()
  for (let i = 0; i < spans.length; i++) addSpan(chunks, spans[i] as Span, scope, i)
  return chunks
}

function unitsOfChunks(chunks: Chunks, policy: UnitsPolicy): number {
  const graceMs = (policy.graceSeconds ?? 0) * 1000
  let units = 0
  let totalMs = 0
  for (const ms of chunks.values()) {
    totalMs += ms
    units += chunkUnits(ms, graceMs, UNIT_MS)
  }
  return totalMs > 0 ? Math.max(units, policy.minimumUnits ?? 0) : units
}

/**
 * Billable units for an intervention's time entries under an agreement's policy. Computed in
 * integer milliseconds so a boundary is never missed by floating-point error.
 *
 * @param entries - the intervention's (non-voided) time entries
 * @throws DomainError 'time.invalidDate' | 'time.endBeforeStart' | 'time.tooLong' |
 *   'units.invalidPolicy'
 */
export function unitsFor(entries: readonly TimeSpan[], policy: UnitsPolicy): number {
  const p = checkPolicy(policy)
  return unitsOfChunks(chunksOf(entries.map(validateSpan), p.scope), p)
}

/** A span already parsed into epoch milliseconds (e.g. read from the database as timestamps). */
export interface InstantSpan {
  startMs: number
  endMs: number
}

/**
 * Raw seconds and billable units of spans already parsed, in one pass: the same rule as
 * secondsFor and unitsFor, for the server, which reads entries as instants and recomputes many
 * interventions per push.
 *
 * @throws DomainError 'time.endBeforeStart' | 'time.tooLong' | 'units.invalidPolicy'
 */
export function tallySpans(
  spans: readonly InstantSpan[],
  policy: UnitsPolicy
): { seconds: number; units: number } {
  const p = checkPolicy(policy)
  let ms = 0
  for (const span of spans) {
    const issue = spanIssue(span.startMs, span.endMs, false)
    if (issue) throw new DomainError(issue.code, issue.message, { span })
    ms += span.endMs - span.startMs
  }
  return { seconds: ms / 1000, units: unitsOfChunks(chunksOf(spans, p.scope), p) }
}

/**
 * What the unit maths would refuse in stored entries or their policy, if anything: the first
 * complaint of unitsFor. Every write path checks an entry before storing it, so only an edit
 * made outside Carnet (an entry of 30 h, a policy set by hand) gets here; screens and local
 * recomputation check this first, and show the problem or keep their figures rather than fail.
 */
export function entriesIssue(
  entries: readonly TimeSpan[],
  policy: UnitsPolicy
): { code: DomainErrorCode; message: string } | null {
  try {
    checkPolicy(policy)
    for (const entry of entries) validateSpan(entry)
    return null
  } catch (error) {
    if (!isDomainError(error)) throw error
    return { code: error.code, message: error.message }
  }
}

/** A span's raw seconds as stored, for display: never throws (0 when it cannot be read). */
export function spanSeconds(span: TimeSpan): number {
  const start = tryParseInstant(span.startedAt)
  const end = tryParseInstant(span.endedAt)
  return start === null || end === null ? 0 : Math.max(0, end - start) / 1000
}

/**
 * Raw action seconds of the entries, the figure kept beside units for traceability.
 *
 * @throws DomainError as {@link validateSpan}
 */
export function secondsFor(entries: readonly TimeSpan[]): number {
  let ms = 0
  for (const span of entries.map(validateSpan)) ms += span.endMs - span.startMs
  return ms / 1000
}

/**
 * Whole seconds (rounded up) until the unit count grows by one if the running timer keeps going;
 * drives "2 unités — la 3e commence dans 06:12". The running segment is [running.startedAt, now];
 * with no timer running, it is the answer for a timer started now. A running start later than
 * `now` (clock skew) counts as a timer started now.
 *
 * @param now - the current instant, ISO-8601
 * @returns at least 1
 * @throws DomainError as {@link unitsFor}
 */
export function secondsUntilNextUnit(
  entries: readonly TimeSpan[],
  policy: UnitsPolicy,
  running: { startedAt: string } | null,
  now: string
): number {
  const p = checkPolicy(policy)
  const fixed = chunksOf(entries.map(validateSpan), p.scope)
  const nowMs = parseInstant(now)
  const startMs = running ? Math.min(parseInstant(running.startedAt), nowMs) : nowMs
  const unitsAfter = (extraSeconds: number): number => {
    const chunks = new Map(fixed)
    addSpan(chunks, { startMs, endMs: nowMs + extraSeconds * 1000 }, p.scope, entries.length)
    return unitsOfChunks(chunks, p)
  }
  // unitsAfter is monotone in the extension, so bracket the jump then bisect it.
  const base = unitsAfter(0)
  let lo = 0
  let hi = 1
  while (unitsAfter(hi) <= base) {
    lo = hi
    hi *= 2
    if (hi > 2 ** 40) throw new Error('secondsUntilNextUnit: unit count never grows')
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (unitsAfter(mid) > base) hi = mid
    else lo = mid
  }
  return hi
}
