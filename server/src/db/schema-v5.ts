import { readableChecks } from './readable-checks'

/**
 * Dates the clients receive must be real calendar dates they can read: a pull sends each of these
 * columns as PostgreSQL prints it, and the laptops read 'YYYY-MM-DD' with a year 0001-9999 only.
 * `infinity`, a BC date or year 10000 set by hand would reach every laptop of the municipality as
 * text no date function of theirs takes; the database now refuses it when it is written. NOT
 * VALID, as in migration 4: rows already stored are not re-read at the upgrade.
 */
const PULLED_DATES: Record<string, readonly string[]> = {
  conventions: ['signed_on', 'starts_on', 'ends_on', 'terminated_on'],
  interventions: ['scheduled_for']
}

// A NULL column passes, as CHECK lets unknown through.
const readable = (column: string) => `${column} >= '0001-01-01' AND ${column} <= '9999-12-31'`

export const SCHEMA_V5 = readableChecks(PULLED_DATES, readable)
