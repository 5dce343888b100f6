import pg from 'pg'
import { vi } from 'vitest'

/**
 * Records the text of every query node-postgres sends (one entry per round trip: a simple query
 * or an extended one) until the test restores its mocks (`vi.restoreAllMocks()`).
 */
export function recordSentQueries(): string[] {
  const sent: string[] = []
  const query = pg.Client.prototype.query
  vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const first = args[0] as string | { text: string }
    sent.push(typeof first === 'string' ? first : first.text)
    return (query as (...a: unknown[]) => unknown).apply(this, args)
  } as never)
  return sent
}
