/** Whole non-negative seconds; a clock display never shows a negative or fractional figure. */
function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/**
 * A running-timer style clock: '06:12' under an hour, '1:02:03' from one hour on.
 *
 * @param seconds - may be fractional (floored) or negative (shown as 00:00)
 */
export function formatClock(seconds: number): string {
  const s = wholeSeconds(seconds)
  const hours = Math.floor(s / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const rest = s % 60
  return hours > 0 ? `${hours}:${pad2(minutes)}:${pad2(rest)}` : `${pad2(minutes)}:${pad2(rest)}`
}

/**
 * A duration in the French report style: '2 h 05', '0 h 15'. Minutes are floored, like the clock.
 *
 * @param seconds - may be fractional or negative (shown as 0 h 00)
 */
export function formatHoursMinutes(seconds: number): string {
  const minutes = Math.floor(wholeSeconds(seconds) / 60)
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)}`
}
