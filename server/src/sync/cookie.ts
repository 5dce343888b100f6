import { SCHEMA_VERSION } from '../../../src/shared/sync/protocol'

/**
 * The pull cookie: an opaque base64url JSON of the position reached in the (version, table, key)
 * order, never a version alone (one push can write thousands of rows with one version, and a
 * page boundary may fall among them). It also pins what the position is valid for: the database
 * (a restored or recreated one restarts its versions), the server's schema version, the schema
 * version of the client it was sent to and the scope fingerprint. Any mismatch, or a cookie that
 * does not decode, means a reset.
 */
export interface CookieState {
  /** Last position sent: version, table index in SYNC_TABLES, key. */
  v: number
  t: number
  k: string
  /** Scope fingerprint, database id, schema version. */
  f: string
  d: string
  s: number
  /**
   * The schema version the client pulled with: a client whose own changes (an app update) is
   * rebuilt once, then pages on. Absent from cookies made before it existed, all of schema 1.
   */
  c?: number
  /**
   * Set while a reset snapshot is being paged: tombstones up to this version are not worth
   * sending to a client that dropped its copy; later ones still are.
   */
  z?: number
}

export function encodeCookie(state: CookieState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url')
}

export function decodeCookie(cookie: string | null): CookieState | null {
  if (!cookie || !/^[A-Za-z0-9_-]+$/.test(cookie)) return null
  try {
    const value = JSON.parse(
      Buffer.from(cookie, 'base64url').toString('utf8')
    ) as Partial<CookieState>
    const ok =
      Number.isSafeInteger(value.v) &&
      (value.v ?? -1) >= 0 &&
      Number.isInteger(value.t) &&
      typeof value.k === 'string' &&
      typeof value.f === 'string' &&
      typeof value.d === 'string' &&
      value.s === SCHEMA_VERSION &&
      (value.c === undefined || Number.isSafeInteger(value.c)) &&
      (value.z === undefined || Number.isSafeInteger(value.z))
    return ok ? (value as CookieState) : null
  } catch {
    return null
  }
}
