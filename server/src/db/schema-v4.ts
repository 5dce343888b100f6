import { readableChecks } from './readable-checks'

/**
 * Instants the clients receive must be ones they can read: the shared parser takes years
 * 0000-9999 only (in UTC, once its offset is applied), and a pull turns each of these columns into
 * ISO text. A value outside that range (`infinity` or year 10000 set by hand, or, before the
 * parser checked the range in UTC, a laptop clock at 31 Dec 9999 with a western offset) made
 * every pull of its municipality fail, for every laptop; the database now refuses it when it is
 * written (NOT VALID, see readable-checks.ts). The statements are the ones that shipped, byte
 * for byte: only their construction moved to readableChecks, shared with migration 5.
 */
const PULLED_INSTANTS: Record<string, readonly string[]> = {
  interventions: ['created_at', 'updated_at'],
  time_entries: ['started_at', 'ended_at', 'created_at', 'voided_at', 'received_at'],
  rejections: ['rejected_at'],
  remote_sessions: ['started_at', 'ended_at']
}

// Year 0000 of ISO 8601 is 1 BC; the bound above is the first instant of year 10000. A NULL
// column passes, as CHECK lets unknown through.
const readable = (column: string) =>
  `${column} >= '0001-01-01 00:00:00+00 BC' AND ${column} < '10000-01-01 00:00:00+00'`

export const SCHEMA_V4 = readableChecks(PULLED_INSTANTS, readable)
