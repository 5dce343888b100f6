/**
 * Tunables of one server instance. Defaults suit production; tests shrink the slow or
 * time-based ones (scrypt cost, rate limits, keepalive period).
 */
export interface ServerConfig {
  /** JSON bodies above this many bytes get 413. */
  bodyLimitBytes: number
  /** Attachments above this many bytes get 413. */
  blobLimitBytes: number
  accessTokenTtlMs: number
  refreshTokenTtlMs: number
  /** Failed logins per email (and, times 4, per client IP) within the window before 429. */
  loginFailuresPerEmail: number
  loginWindowMs: number
  /** Token bucket per device: burst capacity and refill rate (requests per second). */
  deviceBurst: number
  deviceRatePerSecond: number
  /** SSE keepalive comment period. */
  keepaliveMs: number
  /** Entries dated more than this in the future (by the server clock) are flagged. */
  futureSkewMs: number
  /**
   * After an unassignment, how long the technician may still send time entries for work done
   * while assigned (offline laptops catching up). Later ones are rejected (scope.forbidden).
   */
  lateEntryGraceMs: number
  /**
   * A refresh answer can be lost on the way back: the token just spent, presented again within
   * this delay while its successor is still unused, gets a new pair instead of revoking the
   * device. 0 turns the grace off.
   */
  refreshReuseGraceMs: number
  /** Enables test-only request headers (CARNET_TEST_HOOKS=1); never set in production. */
  testHooks: boolean
  /** scrypt cost for new password hashes (log2 N). */
  scryptLogN: number
  /**
   * Fastify's trustProxy: which proxies may set X-Forwarded-For. Behind a reverse proxy the
   * per-IP login limit needs the client's address, not the proxy's.
   */
  trustProxy: boolean | string
  /**
   * Pushes of this process inside their transaction at once (push-turns.ts); the others wait in
   * the process. 0 for no limit. CARNET_PUSHES_IN_TRANSACTION sets it.
   */
  pushesInTransaction: number
  /**
   * Pushes of this process that may wait for a turn; past them a push answers 503 at once
   * (push-turns.ts). 0 for no cap. CARNET_PUSHES_WAITING sets it.
   */
  pushesWaiting: number
}

export const DEFAULT_CONFIG: ServerConfig = {
  bodyLimitBytes: 4 * 1024 * 1024,
  blobLimitBytes: 20 * 1024 * 1024,
  accessTokenTtlMs: 15 * 60_000,
  refreshTokenTtlMs: 60 * 24 * 3600_000,
  loginFailuresPerEmail: 5,
  loginWindowMs: 15 * 60_000,
  deviceBurst: 300,
  deviceRatePerSecond: 50,
  keepaliveMs: 25_000,
  futureSkewMs: 5 * 60_000,
  lateEntryGraceMs: 30 * 24 * 3600_000,
  refreshReuseGraceMs: 60_000,
  testHooks: false,
  scryptLogN: 15,
  trustProxy: false,
  pushesInTransaction: 2,
  pushesWaiting: 256
}

/** The defaults, with the test hooks switched on only by the explicit environment variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const proxy = env.CARNET_TRUST_PROXY
  const turns = wholeNumber(env, 'CARNET_PUSHES_IN_TRANSACTION', 'no limit')
  const waiting = wholeNumber(env, 'CARNET_PUSHES_WAITING', 'no cap')
  return {
    ...DEFAULT_CONFIG,
    testHooks: env.CARNET_TEST_HOOKS === '1',
    trustProxy: proxy === undefined || proxy === '' ? false : proxy === 'true' ? true : proxy,
    ...(turns !== null ? { pushesInTransaction: turns } : {}),
    ...(waiting !== null ? { pushesWaiting: waiting } : {})
  }
}

/** A whole-number setting from the environment (0-9999), or null when it is unset or empty. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, zero: string): number | null {
  const value = env[name]
  if (value === undefined || value === '') return null
  if (!/^\d{1,4}$/.test(value))
    throw new Error(`${name} must be a whole number (0 for ${zero}), not "${value}".`)
  return Number(value)
}
