import {
  acceptsTimeEntries,
  DomainError,
  MAX_ENTRY_SECONDS,
  parseInstant,
  type TimeEntryMode
} from '../../../../shared/domain'
import { isoSeconds, type RepoContext } from '../context'
import type { TimerRow } from '../rows'
import { notFound } from '../validate'
import { markInProgress } from './interventions'
import { entryTables, writeEntry } from './time-entries'

/** How often a running timer records that the app is alive. */
export const HEARTBEAT_MS = 30_000
/** A silence longer than this (sleep, app closed, crash) is a gap the technician decides about. */
export const GAP_THRESHOLD_MS = 10 * 60_000
/** A clock set back by more than this (not a time-sync nudge) restarts the running segment. */
export const CLOCK_BACK_TOLERANCE_MS = 60_000

export type GapChoice = 'keep' | 'drop' | 'split'

export interface Gap {
  interventionId: string
  from: string
  to: string
}

function timerTables(ctx: RepoContext) {
  return [...entryTables(ctx), ctx.db.timers] as const
}

/** A running segment its intervention could not take: signed or removed while it ran. */
interface Unrecorded {
  startedAt: string
  endedAt: string
}

/**
 * Turns the running segment [segmentStartedAt, end] into timer entries. A segment longer than
 * the 24 h entry limit is cut in consecutive entries so no time is lost; an end at or before the
 * start (the clock was set back) records nothing. When the intervention no longer takes time (a
 * pull brought it signed, or removed it), the segment is returned instead: the caller ends the
 * timer and tells the technician, rather than failing every timer action from then on.
 */
async function closeSegment(
  ctx: RepoContext,
  timer: TimerRow,
  endIso: string
): Promise<Unrecorded | null> {
  if (timer.state !== 'running' || !timer.segmentStartedAt) return null
  let start = parseInstant(timer.segmentStartedAt)
  const end = parseInstant(endIso)
  if (end - start < 1000) return null
  const intervention = await ctx.db.interventions.get(timer.interventionId)
  if (!intervention || !acceptsTimeEntries(intervention.status))
    return { startedAt: timer.segmentStartedAt, endedAt: endIso }
  while (end - start >= 1000) {
    const chunkEnd = Math.min(end, start + MAX_ENTRY_SECONDS * 1000)
    await writeEntry(ctx, {
      interventionId: timer.interventionId,
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(chunkEnd).toISOString(),
      mode: timer.mode,
      source: 'timer'
    })
    start = chunkEnd
  }
  return null
}

const hhmm = (iso: string): string => {
  const at = new Date(parseInstant(iso))
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`
}

/** Thrown once the timer is ended (after its transaction): what could not be recorded, when. */
function unrecorded(lost: Unrecorded): DomainError {
  return new DomainError(
    'timer.unrecorded',
    `${hhmm(lost.startedAt)} → ${hhmm(lost.endedAt)}`,
    lost
  )
}

export function getTimer(ctx: RepoContext): Promise<TimerRow | undefined> {
  return ctx.db.timers.get(ctx.technicianId)
}

/**
 * Starts timing an intervention. Any running segment (on this or another intervention) is closed
 * first: one running timer per technician. A planned, on-hold or done intervention moves to
 * in progress.
 */
export async function startTimer(
  ctx: RepoContext,
  interventionId: string,
  mode: TimeEntryMode
): Promise<void> {
  const { db } = ctx
  let lost: Unrecorded | null = null
  await db.transaction('rw', timerTables(ctx), async () => {
    const intervention = await db.interventions.get(interventionId)
    if (!intervention) throw notFound('Intervention', interventionId)
    if (intervention.status === 'signed') {
      throw new DomainError(
        'status.locked',
        'This intervention is signed: no time can be added to it.'
      )
    }
    const now = isoSeconds(ctx.now())
    const current = await db.timers.get(ctx.technicianId)
    if (current) lost = await closeSegment(ctx, current, now)
    await markInProgress(ctx, intervention)
    await db.timers.put({
      technicianId: ctx.technicianId,
      interventionId,
      mode,
      state: 'running',
      segmentStartedAt: now,
      lastSeenAt: now
    })
  })
  if (lost) throw unrecorded(lost)
}

/** Closes the running segment as an entry; the timer stays on this intervention, paused. */
export async function pauseTimer(ctx: RepoContext): Promise<void> {
  const { db } = ctx
  let lost: Unrecorded | null = null
  await db.transaction('rw', timerTables(ctx), async () => {
    const timer = await db.timers.get(ctx.technicianId)
    if (!timer || timer.state !== 'running') return
    const now = isoSeconds(ctx.now())
    lost = await closeSegment(ctx, timer, now)
    if (lost) await db.timers.delete(ctx.technicianId)
    else await db.timers.put({ ...timer, state: 'paused', segmentStartedAt: null, lastSeenAt: now })
  })
  if (lost) throw unrecorded(lost)
}

export async function resumeTimer(ctx: RepoContext): Promise<void> {
  const timer = await getTimer(ctx)
  if (!timer) throw new DomainError('timer.none', 'No timer to resume.')
  await startTimer(ctx, timer.interventionId, timer.mode)
}

/** Stops the timer: the running segment becomes an entry and the timer is gone. */
export async function stopTimer(ctx: RepoContext): Promise<void> {
  const { db } = ctx
  let lost: Unrecorded | null = null
  await db.transaction('rw', timerTables(ctx), async () => {
    const timer = await db.timers.get(ctx.technicianId)
    if (!timer) return
    lost = await closeSegment(ctx, timer, isoSeconds(ctx.now()))
    await db.timers.delete(ctx.technicianId)
  })
  if (lost) throw unrecorded(lost)
}

/** Switches on site ↔ remote: the segment so far keeps its mode, a new one starts now. */
export async function setTimerMode(ctx: RepoContext, mode: TimeEntryMode): Promise<void> {
  const { db } = ctx
  let lost: Unrecorded | null = null
  await db.transaction('rw', timerTables(ctx), async () => {
    const timer = await db.timers.get(ctx.technicianId)
    if (!timer || timer.mode === mode) return
    const now = isoSeconds(ctx.now())
    if (timer.state === 'running') {
      lost = await closeSegment(ctx, timer, now)
      if (lost) await db.timers.delete(ctx.technicianId)
      else await db.timers.put({ ...timer, mode, segmentStartedAt: now, lastSeenAt: now })
    } else {
      await db.timers.put({ ...timer, mode })
    }
  })
  if (lost) throw unrecorded(lost)
}

/**
 * Makes room in the running timer for an entry [startIso, endIso] on the timer's intervention
 * (a remote session that ran meanwhile): one technician cannot act twice in the same minute, and
 * the unit rule adds entries up. The segment's part before the entry becomes a timer entry, and
 * the segment goes on from the entry's end. Nothing happens for another intervention, a paused
 * timer or a segment that started after the entry; timer entries already closed during the
 * session (a pause, a mode switch) are left as they are. Must run inside a transaction over
 * timerTables.
 */
export async function yieldTimerTo(
  ctx: RepoContext,
  interventionId: string,
  startIso: string,
  endIso: string
): Promise<void> {
  const timer = await ctx.db.timers.get(ctx.technicianId)
  if (!timer || timer.state !== 'running' || !timer.segmentStartedAt) return
  if (timer.interventionId !== interventionId) return
  // Rounded up to the second, as segments are stored: the segment starts at or after the entry.
  const end = isoSeconds(Math.ceil(parseInstant(endIso) / 1000) * 1000)
  if (parseInstant(timer.segmentStartedAt) >= parseInstant(end)) return
  // An intervention that no longer takes time: the entry refuses it itself (status.locked), and
  // the timer's next action reports the span it could not record.
  if (await closeSegment(ctx, timer, startIso)) return
  await ctx.db.timers.put({ ...timer, segmentStartedAt: end })
}

/** The gap to ask about, if the running timer has not been seen alive for too long. */
export function detectGap(timer: TimerRow | undefined, nowMs: number): Gap | null {
  if (!timer || timer.state !== 'running') return null
  const lastSeen = parseInstant(timer.lastSeenAt)
  if (nowMs - lastSeen <= GAP_THRESHOLD_MS) return null
  return { interventionId: timer.interventionId, from: timer.lastSeenAt, to: isoSeconds(nowMs) }
}

/**
 * Records that the app is alive, unless a gap is waiting for the technician's decision. A clock
 * set back (beyond a time-sync nudge) would shrink the running segment by the jump: the work
 * until the last sign of life becomes an entry as timed, and the segment restarts by the new
 * clock.
 */
export async function heartbeat(ctx: RepoContext): Promise<void> {
  const { db } = ctx
  await db.transaction('rw', timerTables(ctx), async () => {
    const timer = await db.timers.get(ctx.technicianId)
    if (!timer || timer.state !== 'running' || detectGap(timer, ctx.now())) return
    const now = isoSeconds(ctx.now())
    if (ctx.now() < parseInstant(timer.lastSeenAt) - CLOCK_BACK_TOLERANCE_MS) {
      // An intervention that no longer takes time is left to the next timer action to report.
      if (await closeSegment(ctx, timer, timer.lastSeenAt)) return
      await db.timers.put({ ...timer, segmentStartedAt: now, lastSeenAt: now })
      return
    }
    await db.timers.update(ctx.technicianId, { lastSeenAt: now })
  })
}

/**
 * Applies the technician's decision about a gap: `keep` counts it all; `drop` ends the work at
 * the last sign of life and restarts the timer now; `split` ends the work at `splitAt` (inside
 * the gap) and restarts the timer now.
 */
export async function resolveGap(
  ctx: RepoContext,
  choice: GapChoice,
  splitAt?: string
): Promise<void> {
  const { db } = ctx
  let lost: Unrecorded | null = null
  await db.transaction('rw', timerTables(ctx), async () => {
    const timer = await db.timers.get(ctx.technicianId)
    const now = isoSeconds(ctx.now())
    if (!timer || timer.state !== 'running') return
    if (choice === 'keep') {
      await db.timers.put({ ...timer, lastSeenAt: now })
      return
    }
    let end = timer.lastSeenAt
    if (choice === 'split') {
      const at = splitAt ? parseInstant(splitAt) : NaN
      if (!(at >= parseInstant(timer.lastSeenAt) && at <= ctx.now())) {
        throw new DomainError(
          'timer.invalidSplit',
          'Choose a time between the last activity and now.'
        )
      }
      end = isoSeconds(at)
    }
    lost = await closeSegment(ctx, timer, end)
    if (lost) await db.timers.delete(ctx.technicianId)
    else await db.timers.put({ ...timer, segmentStartedAt: now, lastSeenAt: now })
  })
  if (lost) throw unrecorded(lost)
}
