import type { BrowserContext, Page } from '@playwright/test'
import { readStart } from './app-probes'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples?: number[]
  timeDeltas?: number[]
}

export interface HotSpot {
  name: string
  selfMs: number
}

/**
 * One extra app start under the CPU profiler (not counted in the timings): self time per
 * function and per bundle file, to say what dominates the start rather than guess.
 */
export async function profileStart(
  page: Page,
  context: BrowserContext,
  top = 15
): Promise<{ top: HotSpot[]; byFile: HotSpot[]; text: string }> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  await page.reload()
  const marks = await readStart(page)
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }
  await cdp.detach()

  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  const files = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number)
    const ms = (deltas[i + 1] ?? 0) / 1000
    if (!node) continue
    const { functionName, url, lineNumber } = node.callFrame
    const file = url ? (url.split('/').pop() ?? url).replace(/\?.*$/, '') : ''
    const name =
      `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim()
    self.set(name, (self.get(name) ?? 0) + ms)
    const bucket = file || functionName
    files.set(bucket, (files.get(bucket) ?? 0) + ms)
  }
  const sorted = (m: Map<string, number>, idle = false) =>
    [...m.entries()]
      .filter(([name]) => idle || !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .map(([name, selfMs]) => ({ name, selfMs }))
  const hot = sorted(self).slice(0, top)
  const byFile = sorted(files, true).slice(0, 8)
  const text = [
    `    profiled start: painted at ${marks.painted?.toFixed(0)} ms (profiler overhead included)`,
    ...hot.map((h) => `    ${h.selfMs.toFixed(1).padStart(8)} ms  ${h.name}`),
    '    by file (idle: main thread waiting, e.g. on the IndexedDB backend or the network):',
    ...byFile.map((h) => `    ${h.selfMs.toFixed(1).padStart(8)} ms  ${h.name}`)
  ].join('\n')
  return { top: hot, byFile, text }
}
