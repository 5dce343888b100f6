import type { Queryable } from '../db/db'

/**
 * Hands out the transaction's version, bumping the global row on first use only: one bump per
 * push (however many rows it writes), none for a push that only replays. The UPDATE's row lock
 * is held to commit, so versions become visible in increasing order and a pull that has seen
 * version v can never later meet a row below v.
 */
export class VersionAllocator {
  private version: Promise<number> | null = null

  constructor(private readonly q: Queryable) {}

  get(): Promise<number> {
    this.version ??= this.q
      .query<{ value: number }>(
        'UPDATE server_version SET value = value + 1 WHERE id = 1 RETURNING value'
      )
      .then(({ rows }) => {
        const value = rows[0]?.value
        if (value === undefined) throw new Error('server_version row missing')
        return value
      })
    return this.version
  }

  /** Takes a version bumped by a statement of the caller's (once, before any get). */
  preset(value: number): void {
    if (this.version !== null) throw new Error('version already allocated')
    this.version = Promise.resolve(value)
  }

  get used(): boolean {
    return this.version !== null
  }
}

export async function currentVersion(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ value: number }>('SELECT value FROM server_version WHERE id = 1')
  return rows[0]?.value ?? 0
}
