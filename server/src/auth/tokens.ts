import { createHash, randomBytes } from 'node:crypto'

/**
 * Opaque random tokens; only their SHA-256 is stored, so a database leak yields no usable token.
 * (A fast hash is enough here: unlike passwords, 256 random bits cannot be brute-forced.)
 * The prefixes make a leaked token recognisable in a secret scanner and in support requests.
 */
export const ACCESS_PREFIX = 'cat_'
export const REFRESH_PREFIX = 'crt_'

export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
