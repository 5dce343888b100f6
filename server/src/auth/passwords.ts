import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * scrypt password hashes (memory-hard, security.md item 23), stored self-describing as
 * `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>` so the cost can rise later without breaking
 * existing hashes.
 */
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const N = options.N ?? 16384
  const r = options.r ?? 8
  // scrypt needs about 128·N·r bytes; the default ceiling (32 MiB) is too low for N = 2^15.
  const maxmem = 256 * N * r + 1024 * 1024
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key)
    )
  })
}

export async function hashPassword(password: string, logN = 15): Promise<string> {
  const salt = randomBytes(16)
  const [r, p] = [8, 1]
  const key = await derive(password, salt, { N: 2 ** logN, r, p })
  return ['scrypt', logN, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Constant-time check; a malformed stored hash simply fails. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20) return false
  const salt = Buffer.from(parts[4] ?? '', 'base64')
  const expected = Buffer.from(parts[5] ?? '', 'base64')
  if (expected.length !== KEY_LENGTH) return false
  const actual = await derive(password, salt, { N: 2 ** logN, r, p })
  return timingSafeEqual(actual, expected)
}

const dummies = new Map<number, Promise<string>>()

/** The dummy hash at the configured cost, computed once (warmed when the server starts). */
export function dummyHash(logN: number): Promise<string> {
  let dummy = dummies.get(logN)
  if (!dummy) {
    dummy = hashPassword('not-a-real-password', logN)
    dummies.set(logN, dummy)
  }
  return dummy
}

/**
 * Runs the same scrypt computation as a real check (same cost as new hashes), so an unknown email
 * cannot be told from a wrong password by the response time. Accounts hashed at another cost
 * than the configured one differ; rehashing on the next sign-in is a possible later step.
 */
export async function verifyAgainstDummy(password: string, logN: number): Promise<false> {
  await verifyPassword(password, await dummyHash(logN))
  return false
}
