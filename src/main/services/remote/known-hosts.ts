import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** Host key types Carnet accepts from known_hosts and from servers. */
export const SUPPORTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa'
] as const
export type HostKeyType = (typeof SUPPORTED_KEY_TYPES)[number]

/** One usable line of a known_hosts file, as the trust store keeps it. */
export interface KnownHostsEntry {
  marker: 'revoked' | null
  /** Either comma-separated patterns (`host`, `[host]:port`, globs, `!negations`) or `|1|salt|hash`. */
  hosts: string
  keyType: HostKeyType
  fingerprint: string
}

export interface KnownHostsParseResult {
  entries: KnownHostsEntry[]
  /** Lines ignored on purpose: comments, blanks, @cert-authority, unsupported key types, garbage. */
  skipped: number
}

/** OpenSSH's `SHA256:` fingerprint: base64 of the SHA-256 of the key blob, without padding. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')
}

/** The key type is the first string of the SSH wire-format key blob (RFC 4253 §6.6). */
export function keyTypeOf(keyBlob: Buffer): string | null {
  if (keyBlob.length < 4) return null
  const length = keyBlob.readUInt32BE(0)
  if (length === 0 || length > 64 || keyBlob.length < 4 + length) return null
  return keyBlob.subarray(4, 4 + length).toString('latin1')
}

export function isSupportedKeyType(type: string | null): type is HostKeyType {
  return (SUPPORTED_KEY_TYPES as readonly string[]).includes(type ?? '')
}

/** The name OpenSSH writes for a host: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase()
  return port === 22 ? name : `[${name}]:${port}`
}

/**
 * Parses known_hosts text. Lines that cannot be used safely are skipped rather than guessed at:
 * @cert-authority lines (Carnet does not verify host certificates, so such hosts stay unknown
 * and the user is asked), unsupported key types, and lines whose declared type disagrees with
 * the key itself.
 */
export function parseKnownHosts(text: string): KnownHostsParseResult {
  const entries: KnownHostsEntry[] = []
  let skipped = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const entry = parseLine(line)
    if (entry) entries.push(entry)
    else skipped++
  }
  return { entries, skipped }
}

function parseLine(line: string): KnownHostsEntry | null {
  const fields = line.split(/\s+/)
  let marker: KnownHostsEntry['marker'] = null
  if (fields[0]?.startsWith('@')) {
    if (fields[0] !== '@revoked') return null
    marker = 'revoked'
    fields.shift()
  }
  const [hosts, type, base64] = fields
  if (!hosts || !type || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return null
  const blob = Buffer.from(base64, 'base64')
  const blobType = keyTypeOf(blob)
  if (blobType !== type || !isSupportedKeyType(blobType)) return null
  if (hosts.startsWith('|') && !parseHashed(hosts)) return null
  return { marker, hosts, keyType: blobType, fingerprint: fingerprintOf(blob) }
}

function parseHashed(hosts: string): { salt: Buffer; hash: Buffer } | null {
  const parts = hosts.split('|')
  // `|1|salt|hash` splits into ['', '1', salt, hash]; only HMAC-SHA1 (type 1) exists.
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return null
  const salt = Buffer.from(parts[2], 'base64')
  const hash = Buffer.from(parts[3], 'base64')
  if (salt.length !== 20 || hash.length !== 20) return null
  return { salt, hash }
}

/** Does this entry's host field name `host` on `port`? Follows OpenSSH's matching rules. */
export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port)
  if (entry.hosts.startsWith('|')) {
    const hashed = parseHashed(entry.hosts)
    if (!hashed) return false
    const digest = createHmac('sha1', hashed.salt).update(name).digest()
    return timingSafeEqual(digest, hashed.hash)
  }
  let matched = false
  for (const pattern of entry.hosts.toLowerCase().split(',')) {
    const negated = pattern.startsWith('!')
    if (!globMatch(negated ? pattern.slice(1) : pattern, name)) continue
    // A matching negation vetoes the whole line, whatever else matched (sshd(8) "!pattern").
    if (negated) return false
    matched = true
  }
  return matched
}

/** `*` and `?` wildcards, nothing else: a pattern is never treated as a regular expression. */
function globMatch(pattern: string, name: string): boolean {
  let p = 0
  let n = 0
  let starP = -1
  let starN = 0
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++
      n++
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++
      starN = n
    } else if (starP !== -1) {
      p = starP + 1
      n = ++starN
    } else return false
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}
