/**
 * In-memory limiters (one server process). Behind several processes each keeps its own
 * counters, so the effective limit is per process; docs/server.md says so.
 */

/** Counts failures per key in a sliding window (login attempts per email and per IP). */
export class FailureCounter {
  private readonly failures = new Map<string, number[]>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs
    const kept = (this.failures.get(key) ?? []).filter((t) => t > cutoff)
    if (kept.length === 0) this.failures.delete(key)
    else this.failures.set(key, kept)
    return kept
  }

  /** Seconds until the key may try again, or 0 when it is not blocked. */
  blockedFor(key: string): number {
    const recent = this.recent(key)
    if (recent.length < this.limit) return 0
    const oldest = recent[recent.length - this.limit] ?? this.now()
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000))
  }

  fail(key: string): void {
    const recent = this.recent(key)
    recent.push(this.now())
    this.failures.set(key, recent)
    if (this.failures.size > 100_000) this.sweep()
  }

  /**
   * Gives back one attempt counted with `fail`. Login counts each attempt before checking the
   * password (so parallel guesses cannot all pass a check made before any of them failed) and
   * refunds it when it turns out not to be a wrong guess.
   */
  refund(key: string): void {
    const recent = this.recent(key)
    recent.pop()
    if (recent.length === 0) this.failures.delete(key)
  }

  reset(key: string): void {
    this.failures.delete(key)
  }

  private sweep(): void {
    for (const key of [...this.failures.keys()]) this.recent(key)
  }
}

/** A token bucket per key (requests per device). */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond
    )
    bucket.at = now
    this.buckets.set(key, bucket)
    if (this.buckets.size > 100_000) this.buckets.clear()
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond))
  }
}
