import { randomUUID } from 'node:crypto'
import type { LoginResponse, Role } from '../../../src/shared/sync/protocol'
import type { ServerConfig } from '../config'
import { prepared, type Db, type Queryable } from '../db/db'
import { HttpError, unauthorized } from '../http/errors'
import { notifyDeviceClosed } from '../sync/pokes'
import { verifyAgainstDummy, verifyPassword } from './passwords'
import { ACCESS_PREFIX, hashToken, newToken, REFRESH_PREFIX } from './tokens'

/** Who is calling, resolved from the bearer token on every request. */
export interface AuthContext {
  technicianId: string
  name: string
  role: Role
  deviceId: string
  /** When the access token presented expires (ms since the epoch); event streams end then. */
  accessTokenExpiresAt?: number
}

interface TechnicianRow {
  id: string
  name: string
  role: Role
  password_hash: string
}

/** Issues a fresh access/refresh pair for a device (login and each refresh). */
async function issuePair(
  q: Queryable,
  config: ServerConfig,
  deviceId: string
): Promise<{ accessToken: string; accessTokenExpiresAt: string; refreshToken: string }> {
  // One live pair per device: the previous access token dies with each new pair.
  await q.query('DELETE FROM access_tokens WHERE device_id = $1', [deviceId])
  const accessToken = newToken(ACCESS_PREFIX)
  const refreshToken = newToken(REFRESH_PREFIX)
  const now = Date.now()
  const accessTokenExpiresAt = new Date(now + config.accessTokenTtlMs).toISOString()
  await q.query(
    'INSERT INTO access_tokens (token_hash, device_id, expires_at) VALUES ($1, $2, $3)',
    [hashToken(accessToken), deviceId, accessTokenExpiresAt]
  )
  await q.query(
    'INSERT INTO refresh_tokens (token_hash, device_id, expires_at) VALUES ($1, $2, $3)',
    [hashToken(refreshToken), deviceId, new Date(now + config.refreshTokenTtlMs).toISOString()]
  )
  return { accessToken, accessTokenExpiresAt, refreshToken }
}

/**
 * Checks credentials and opens a device session. Unknown email and wrong password look the
 * same (status, message and time) so accounts cannot be enumerated.
 */
export async function login(
  db: Db,
  config: ServerConfig,
  input: { email: string; password: string; deviceName: string }
): Promise<LoginResponse | null> {
  const { rows } = await db.query<TechnicianRow>(
    'SELECT id, name, role, password_hash FROM technicians WHERE email = $1 AND disabled_at IS NULL',
    [input.email.trim().toLowerCase()]
  )
  const technician = rows[0]
  const ok = technician
    ? await verifyPassword(input.password, technician.password_hash)
    : await verifyAgainstDummy(input.password, config.scryptLogN)
  if (!technician || !ok) return null
  return db.transaction(async (tx) => {
    const deviceId = randomUUID()
    await tx.query('INSERT INTO devices (id, technician_id, name) VALUES ($1, $2, $3)', [
      deviceId,
      technician.id,
      input.deviceName
    ])
    const pair = await issuePair(tx, config, deviceId)
    return {
      deviceId,
      ...pair,
      technician: { id: technician.id, name: technician.name, role: technician.role }
    }
  })
}

/**
 * Revokes a device: its access and refresh tokens stop working with the next request, and every
 * server process sharing the database closes its event streams (NOTIFY, delivered on commit).
 */
export async function revokeDevice(q: Queryable, deviceId: string, reason: string): Promise<void> {
  await q.query(
    'UPDATE devices SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
    [deviceId, reason]
  )
  await q.query('DELETE FROM access_tokens WHERE device_id = $1', [deviceId])
  await notifyDeviceClosed(q, deviceId)
}

interface RefreshRow {
  device_id: string
  spent_at: Date | null
  replaced_by: string | null
  expired: boolean
  /** Spent within the reuse grace, and its successor is still unused: a lost answer's retry. */
  retry: boolean
  revoked_at: Date | null
  technician_id: string
  name: string
  role: Role
  disabled_at: Date | null
}

/**
 * Rotates a refresh token (RFC 9700 §4.14): the presented token is spent and a new pair issued.
 * Presenting a spent token means it was copied: the whole device session is revoked, with one
 * exception that RFC 9700 allows. A refresh whose answer was lost leaves the client holding the
 * token it just spent: presented again within `refreshReuseGraceMs` of its rotation while the
 * pair issued then is still unused, it gets a new pair and that unused pair is retired (its
 * refresh token counts as spent, so if it does turn up later, that is reuse and revokes).
 *
 * @returns the new pair, or `{ revokedDeviceId }` when reuse was detected
 */
export async function refresh(
  db: Db,
  config: ServerConfig,
  refreshToken: string
): Promise<LoginResponse | { revokedDeviceId: string }> {
  const hash = hashToken(refreshToken)
  const result = await db.transaction(async (tx) => {
    const { rows } = await tx.query<RefreshRow>(
      `SELECT r.device_id, r.spent_at, r.replaced_by, r.expires_at <= now() AS expired,
              (r.spent_at > now() - make_interval(secs => $2) AND s.spent_at IS NULL
                AND s.token_hash IS NOT NULL) AS retry,
              d.revoked_at, t.id AS technician_id, t.name, t.role, t.disabled_at
         FROM refresh_tokens r JOIN devices d ON d.id = r.device_id
         JOIN technicians t ON t.id = d.technician_id
         LEFT JOIN refresh_tokens s ON s.token_hash = r.replaced_by
        WHERE r.token_hash = $1
        FOR UPDATE OF r, d`,
      [hash, config.refreshReuseGraceMs / 1000]
    )
    const row = rows[0]
    if (!row || row.revoked_at || row.disabled_at) return null
    if (row.spent_at && !row.retry) {
      await revokeDevice(tx, row.device_id, 'refresh token reuse')
      return { revokedDeviceId: row.device_id }
    }
    if (row.spent_at) {
      await tx.query(
        'UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1 AND spent_at IS NULL',
        [row.replaced_by]
      )
    } else {
      if (row.expired) return null
      await tx.query('UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1', [hash])
    }
    const pair = await issuePair(tx, config, row.device_id)
    await tx.query('UPDATE refresh_tokens SET replaced_by = $2 WHERE token_hash = $1', [
      hash,
      hashToken(pair.refreshToken)
    ])
    return {
      deviceId: row.device_id,
      ...pair,
      technician: { id: row.technician_id, name: row.name, role: row.role }
    }
  })
  if (!result) throw unauthorized('This refresh token is not valid any more: sign in again.')
  return result
}

/** Run on every request: prepared, so planned once per connection. */
const AUTHENTICATE = prepared(`SELECT t.id AS technician_id, t.name, t.role, d.id AS device_id,
            a.expires_at
       FROM access_tokens a JOIN devices d ON d.id = a.device_id
       JOIN technicians t ON t.id = d.technician_id
      WHERE a.token_hash = $1 AND a.expires_at > now()
        AND d.revoked_at IS NULL AND t.disabled_at IS NULL`)

/** Resolves a bearer access token; revoked devices and expired tokens fail at once. */
export async function authenticate(db: Db, header: string | undefined): Promise<AuthContext> {
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header ?? '')
  if (!match?.[1]) throw unauthorized()
  const { rows } = await db.query<{
    technician_id: string
    name: string
    role: Role
    device_id: string
    expires_at: Date
  }>(AUTHENTICATE, [hashToken(match[1])])
  const row = rows[0]
  if (!row) throw unauthorized()
  return {
    technicianId: row.technician_id,
    name: row.name,
    role: row.role,
    deviceId: row.device_id,
    accessTokenExpiresAt: row.expires_at.getTime()
  }
}

export function tooManyRequests(seconds: number, message: string): HttpError {
  return new HttpError(429, 'rate.limited', message, undefined, { 'retry-after': String(seconds) })
}
