import {
  entriesIssue,
  secondsFor,
  secondsUntilNextUnit,
  unitsFor,
  type TimeSpan,
  type UnitsPolicy
} from '../../../../shared/domain'

export interface LiveUnits {
  seconds: number
  units: number
  /** Whole seconds until the next unit starts if the timer keeps running. */
  nextIn: number
}

/**
 * Units of an intervention with its running segment counted up to `nowMs`. A segment whose start
 * is after now (the clock was set back) counts as zero, never as negative time. Null when a
 * stored entry or the policy breaks the rule (see entriesIssue): the panel then shows no figure.
 */
export function liveUnits(
  entries: readonly TimeSpan[],
  policy: UnitsPolicy,
  runningFrom: string | null,
  nowMs: number
): LiveUnits | null {
  if (entriesIssue(entries, policy)) return null
  const nowIso = new Date(nowMs).toISOString()
  const spans = [...entries]
  if (runningFrom && Date.parse(runningFrom) < nowMs)
    spans.push({ startedAt: runningFrom, endedAt: nowIso })
  // A running segment past 24 h is legal here (stopping cuts it in entries), so keep it valid.
  const capped = spans.map((s) =>
    Date.parse(s.endedAt) - Date.parse(s.startedAt) > 86_400_000
      ? {
          startedAt: s.startedAt,
          endedAt: new Date(Date.parse(s.startedAt) + 86_400_000).toISOString()
        }
      : s
  )
  return {
    seconds: secondsFor(capped),
    units: unitsFor(capped, policy),
    nextIn: secondsUntilNextUnit(
      entries,
      policy,
      runningFrom ? { startedAt: runningFrom } : null,
      nowIso
    )
  }
}
