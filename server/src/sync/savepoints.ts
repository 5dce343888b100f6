import { isDataDbError, type Tx } from '../db/db'

const NAME = 'mutation'

/** Thrown when a mutation run without savepoint failed in the database: redo the push with them. */
export class NeedsSavepoints extends Error {}

/**
 * One savepoint per mutation at one round trip each: the RELEASE of the previous mutation's
 * savepoint travels with the next SAVEPOINT in one two-statement script, and COMMIT releases
 * the last one. A failed mutation is rolled back to its savepoint, which stays open (empty), so
 * what the push writes next (its rejection) is kept by the following RELEASE.
 *
 * With `optimistic`, a mutation whose handler writes at most one statement, after all its
 * checks, runs with no savepoint at all: a refusal has written nothing, and a statement is
 * atomic. Only a database error in it leaves the transaction aborted; that is rare (arguments
 * are validated first), so the whole push is then redone with savepoints (NeedsSavepoints).
 */
export class MutationSavepoints {
  private open = false

  constructor(
    private readonly tx: Tx,
    private readonly optimistic: boolean
  ) {}

  async run<T>(singleWrite: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.optimistic && singleWrite) {
      try {
        return await fn()
      } catch (error) {
        if (isDataDbError(error)) throw new NeedsSavepoints('a mutation failed in the database')
        throw error
      }
    }
    await this.tx.exec(
      this.open ? `RELEASE SAVEPOINT ${NAME}; SAVEPOINT ${NAME}` : `SAVEPOINT ${NAME}`
    )
    this.open = true
    try {
      return await fn()
    } catch (error) {
      await this.tx.exec(`ROLLBACK TO SAVEPOINT ${NAME}`)
      throw error
    }
  }
}
