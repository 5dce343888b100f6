import type { ServerConfig } from '../config'

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

  /** @param limit - turns at once; 0 for no limit */
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.limit > 0) {
      if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go))
      else this.running++
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
  if (!turns) byConfig.set(config, (turns = new PushTurns(config.pushesInTransaction)))
  return turns
}
