import { percentile } from './stats'

/**
 * One line of the sync/server tables. Latencies are "lower is better" and their tail is the
 * p95; rates are "higher is better" and their tail is the rate 95 % of the samples reach (the
 * 5th percentile), printed in the same p95 column.
 */
export interface Line {
  what: string
  unit: string
  better: 'lower' | 'higher'
  samples: number[]
  /** The goal (or ceiling) of performance.md; null when there is none. */
  goal: number | null
  baseline: number | null
  baselineLabel: string
}

export interface LineSummary {
  what: string
  unit: string
  better: 'lower' | 'higher'
  n: number
  p50: number
  tail: number
  goal: number | null
  /** tail against the goal, oriented so that ≥ 1 means the goal is met. */
  goalRatio: number | null
  baseline: number | null
  baselineLabel: string
  /** p50 / baseline: for rates the share of the raw rate reached, for times how many times slower. */
  baselineRatio: number | null
  meetsGoal: boolean | null
}

export function summarizeLine(line: Line): LineSummary {
  const p50 = percentile(line.samples, 50)
  const tail = percentile(line.samples, line.better === 'lower' ? 95 : 5)
  const goalRatio =
    line.goal === null ? null : line.better === 'lower' ? line.goal / tail : tail / line.goal
  return {
    what: line.what,
    unit: line.unit,
    better: line.better,
    n: line.samples.length,
    p50,
    tail,
    goal: line.goal,
    goalRatio,
    baseline: line.baseline,
    baselineLabel: line.baselineLabel,
    baselineRatio: line.baseline === null ? null : p50 / line.baseline,
    meetsGoal: goalRatio === null ? null : goalRatio >= 1
  }
}

const num = (v: number | null, digits = 2): string => {
  if (v === null || !Number.isFinite(v)) return '-'
  if (Math.abs(v) >= 10_000) return Math.round(v).toLocaleString('en-US')
  return v.toFixed(Math.abs(v) >= 100 ? 0 : digits)
}

/**
 * what | p50 | p95 | goal/ceiling | ratio | same-run baseline | ratio to baseline. "ratio" is
 * oriented so that ≥ 1.00 meets the goal (goal / p95 for times, tail / goal for rates).
 */
export function reportTable(lines: readonly LineSummary[]): string {
  const header = [
    'what',
    'p50',
    'p95 (rates: 5th pct)',
    'goal/ceiling',
    'ratio (≥1 ok)',
    'same-run baseline',
    'ratio to baseline'
  ]
  const rows = lines.map((l) => [
    `${l.what} (n=${l.n})`,
    `${num(l.p50)} ${l.unit}`,
    `${num(l.tail)} ${l.unit}`,
    l.goal === null ? '-' : `${l.better === 'higher' ? '≥' : '≤'} ${num(l.goal)} ${l.unit}`,
    l.goalRatio === null ? '-' : `${num(l.goalRatio)}${l.meetsGoal ? '' : ' MISS'}`,
    l.baseline === null ? '-' : `${num(l.baseline)} ${l.unit} (${l.baselineLabel})`,
    l.baselineRatio === null ? '-' : `${num(l.baselineRatio)}x`
  ])
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)))
  const render = (r: string[]) =>
    '| ' + r.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ') + ' |'
  const rule = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|'
  return [render(header), rule, ...rows.map(render)].join('\n')
}

/** Throughput of completions per window (default 1 s) between t0 and t1 (performance.now ms). */
export function windowRates(
  completions: readonly number[],
  weights: readonly number[],
  t0: number,
  t1: number,
  windowMs = 1000
): number[] {
  const windows = Math.max(1, Math.floor((t1 - t0) / windowMs))
  const sums = new Array<number>(windows).fill(0)
  completions.forEach((t, i) => {
    const w = Math.floor((t - t0) / windowMs)
    if (w >= 0 && w < windows) sums[w] = (sums[w] as number) + (weights[i] ?? 1)
  })
  return sums.map((s) => (s * 1000) / windowMs)
}
