import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Percentile by linear interpolation between closest ranks (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const a = sorted[low] as number
  const b = sorted[high] as number
  return a + (b - a) * (rank - low)
}

export interface Summary {
  n: number
  p50: number
  p95: number
  min: number
  max: number
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    min: Math.min(...samples),
    max: Math.max(...samples)
  }
}

export interface Row {
  what: string
  unit: string
  measured: Summary
  ceiling: number
  baselineLabel: string
  baseline: number | null
}

const fmt = (value: number | null, digits = 2): string =>
  value === null || !Number.isFinite(value) ? '-' : value.toFixed(digits)

/**
 * ratio to ceiling: p95 / ceiling (the goals are p95 goals); ratio to baseline: p50 / baseline,
 * both measured in this run.
 */
export function table(rows: readonly Row[]): string {
  const header = ['what', 'p50', 'p95', 'ceiling', 'p95/ceiling', 'raw baseline', 'p50/baseline']
  const lines = rows.map((r) => [
    `${r.what} (n=${r.measured.n})`,
    `${fmt(r.measured.p50)} ${r.unit}`,
    `${fmt(r.measured.p95)} ${r.unit}`,
    `${fmt(r.ceiling, 0)} ${r.unit}`,
    fmt(r.measured.p95 / r.ceiling),
    r.baseline === null ? '-' : `${fmt(r.baseline)} ${r.unit} (${r.baselineLabel})`,
    r.baseline === null ? '-' : `${fmt(r.measured.p50 / r.baseline, 1)}x`
  ])
  const all = [header, ...lines]
  const widths = header.map((_, i) => Math.max(...all.map((line) => (line[i] as string).length)))
  const render = (line: string[]) =>
    '| ' + line.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ') + ' |'
  const rule = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|'
  return [render(header), rule, ...lines.map(render)].join('\n')
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n')
}
