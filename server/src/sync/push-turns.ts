import type { ServerConfig } from '../config'
import { HttpError } from '../http/errors'

/**
 * How many pushes of this process may be inside their transaction at once; the others wait here
 * for a turn, first come first served. Every push that applies a mutation takes the global version
 * row until it commits (versions.ts), so beyond the one holding it and one already queued behind it
 * in PostgreSQL, more transactions do not go faster: each only holds a pool connection (which
 * sign-ins, token checks and pulls need too) and adds lock-wait work to PostgreSQL. Measured with
 * 16 clients: 2 turns gave 10-15 % more pushes per second than no limit, a third of the slow tail
 * gone, and 0.6 ms less PostgreSQL CPU per push (`npm run bench`).
 */
export class PushTurns {
  private running = 0
  private readonly waiting: Array<() => void> = []

  /**
   * @param limit - turns at once; 0 for no limit
   * @param maxWaiting - pushes that may wait for a turn; past them a push is turned away at once
   *   (503, retry after a second: the laptops back off with jitter) rather than queued behind
   *   more work than the server clears in a second or so, each holding its socket and its
   *   parsed body. 0 for no cap.
   */
  constructor(
    private readonly limit: number,
    private readonly maxWaiting = 0
  ) {}

  /** Pushes waiting for a turn now. */
  get queued(): number {
    return this.waiting.length
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.limit > 0) {
      if (this.running >= this.limit) {
        if (this.maxWaiting > 0 && this.waiting.length >= this.maxWaiting)
          throw new HttpError(
            503,
            'server.busy',
            'The server is busy: Carnet will send these changes again shortly.',
            undefined,
            { 'retry-after': '1' }
          )
        await new Promise<void>((go) => this.waiting.push(go))
      } else this.running++
    }
    try {
      return await work()
    } finally {
      if (this.limit > 0) {
        // The turn passes straight to the next in line, so a newcomer cannot slip in between.
        const next = this.waiting.shift()
        if (next) next()
        else this.running--
      }
    }
  }
}

const byConfig = new WeakMap<ServerConfig, PushTurns>()

/**
 * The turns of one server instance: its config object is made once and passed to every request
 * (server/src/http/app.ts), so its limit and its queue go together.
 */
export function pushTurns(config: ServerConfig): PushTurns {
  let turns = byConfig.get(config)
  if (!turns)
    byConfig.set(config, (turns = new PushTurns(config.pushesInTransaction, config.pushesWaiting)))
  return turns
}
