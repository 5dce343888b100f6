import { describe, expect, it, vi } from 'vitest'
import { releaseWithin } from './remote-handlers'

describe('releaseWithin (what a quitting app waits for)', () => {
  it('waits for the release to finish', async () => {
    const steps: string[] = []
    await releaseWithin(async () => {
      await Promise.resolve()
      steps.push('released')
    }, 10_000)
    expect(steps).toEqual(['released'])
  })

  it('gives up on a release that never returns, and ignores one that fails', async () => {
    vi.useFakeTimers()
    try {
      const hanging = releaseWithin(() => new Promise<void>(() => undefined), 3000)
      await vi.advanceTimersByTimeAsync(3000)
      await expect(hanging).resolves.toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
    await expect(
      releaseWithin(() => Promise.reject(new Error('cmdkey failed')), 10_000)
    ).resolves.toBeUndefined()
  })
})
