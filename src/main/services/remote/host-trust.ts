import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import {
  entryMatchesHost,
  fingerprintOf,
  isSupportedKeyType,
  keyTypeOf,
  parseKnownHosts,
  SUPPORTED_KEY_TYPES,
  type HostKeyType,
  type KnownHostsEntry
} from './known-hosts'

export type HostKeyVerdict =
  | 'trusted'
  | { unknown: true; fingerprint: string; keyType: HostKeyType }
  | { changed: true; expected: string; got: string; keyType: HostKeyType }
  | { revoked: true; fingerprint: string }
  | { unsupported: true; keyType: string | null; fingerprint: string }

export interface TrustedHost {
  keyType: HostKeyType
  fingerprint: string
  firstSeen: string
}

export class HostTrustError extends Error {
  constructor(
    readonly code:
      'hostTrust.corrupt' | 'hostTrust.revoked' | 'hostTrust.changed' | 'hostTrust.unsupported',
    message: string
  ) {
    super(message)
    this.name = 'HostTrustError'
  }
}

const keyType = z.enum(SUPPORTED_KEY_TYPES)
const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/)
const fileSchema = z.object({
  version: z.literal(1),
  hosts: z.record(z.string(), z.object({ keyType, fingerprint, firstSeen: z.string() })),
  imported: z.array(
    z.object({
      marker: z.enum(['revoked']).nullable(),
      hosts: z.string().min(1),
      keyType,
      fingerprint
    })
  )
})
type TrustFile = z.infer<typeof fileSchema>

export const TRUST_FILE_NAME = 'ssh-host-trust.json'

/** `host:port`, with IPv6 literals bracketed so the port stays unambiguous. */
export function hostKeyId(host: string, port: number): string {
  const name = host.toLowerCase()
  return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`
}

/**
 * Carnet's own record of SSH host keys (security.md item 12). The user's known_hosts is imported
 * into it rather than written to: the app never edits files it does not own. Hashed known_hosts
 * lines are kept as they are because their host names cannot be recovered.
 */
export class HostTrustStore {
  private readonly file: string
  private data: TrustFile

  constructor(
    dataDir: string,
    private readonly now: () => Date = () => new Date()
  ) {
    this.file = join(dataDir, TRUST_FILE_NAME)
    this.data = this.load()
  }

  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const got = fingerprintOf(keyBlob)
    const type = keyTypeOf(keyBlob)
    // Revocation wins over everything, for every host: a revoked key is compromised wherever
    // it shows up.
    if (this.data.imported.some((e) => e.marker === 'revoked' && e.fingerprint === got))
      return { revoked: true, fingerprint: got }
    if (!isSupportedKeyType(type)) return { unsupported: true, keyType: type, fingerprint: got }
    const stored = this.data.hosts[hostKeyId(host, port)]
    if (stored) {
      if (stored.fingerprint === got) return 'trusted'
      // The session asks for the stored key type first, so a server that answers with another
      // type no longer has the key we know: that is a change too, not a new host.
      return { changed: true, expected: stored.fingerprint, got, keyType: type }
    }
    const known = this.matchingImported(host, port)
    if (known.some((e) => e.fingerprint === got)) return 'trusted'
    // As for a stored key: the session asks for the known_hosts key types first
    // (knownKeyTypes), so a server that answers with another type does not have those keys.
    const expected = known.find((e) => e.keyType === type) ?? known[0]
    if (expected) return { changed: true, expected: expected.fingerprint, got, keyType: type }
    return { unknown: true, fingerprint: got, keyType: type }
  }

  /** Records the user's acceptance of a new key. Never silently replaces a different one. */
  trust(host: string, port: number, keyBlob: Buffer): TrustedHost {
    const verdict = this.verify(host, port, keyBlob)
    if (verdict === 'trusted') {
      const existing = this.data.hosts[hostKeyId(host, port)]
      if (existing) return existing
    } else if ('revoked' in verdict)
      throw new HostTrustError('hostTrust.revoked', 'This host key is revoked in known_hosts.')
    else if ('changed' in verdict)
      throw new HostTrustError(
        'hostTrust.changed',
        'A different key is already trusted for this host; forget it first.'
      )
    else if ('unsupported' in verdict)
      throw new HostTrustError('hostTrust.unsupported', 'Unsupported host key type.')
    const type = keyTypeOf(keyBlob) as HostKeyType
    const entry: TrustedHost = {
      keyType: type,
      fingerprint: fingerprintOf(keyBlob),
      firstSeen: this.now().toISOString()
    }
    this.data.hosts[hostKeyId(host, port)] = entry
    this.save()
    return entry
  }

  /** Explicit user action ("the server was reinstalled"): the next connection asks again. */
  forget(host: string, port: number): void {
    const id = hostKeyId(host, port)
    this.data.hosts = Object.fromEntries(Object.entries(this.data.hosts).filter(([k]) => k !== id))
    this.data.imported = this.data.imported.filter(
      (e) => e.marker === 'revoked' || !entryMatchesHost(e, host, port)
    )
    this.save()
  }

  get(host: string, port: number): TrustedHost | undefined {
    return this.data.hosts[hostKeyId(host, port)]
  }

  /** Key types already known for this host, so the session can ask the server for them first. */
  knownKeyTypes(host: string, port: number): HostKeyType[] {
    const types = new Set<HostKeyType>()
    const stored = this.data.hosts[hostKeyId(host, port)]
    if (stored) types.add(stored.keyType)
    else for (const e of this.matchingImported(host, port)) types.add(e.keyType)
    return [...types]
  }

  /** Merges a known_hosts file; a missing file is not an error (no ~/.ssh on a new laptop). */
  importKnownHosts(path: string): { imported: number; skipped: number } {
    if (!existsSync(path)) return { imported: 0, skipped: 0 }
    const { entries, skipped } = parseKnownHosts(readFileSync(path, 'utf8'))
    const seen = new Set(this.data.imported.map(entryKey))
    let imported = 0
    for (const entry of entries) {
      if (seen.has(entryKey(entry))) continue
      seen.add(entryKey(entry))
      this.data.imported.push(entry)
      imported++
    }
    if (imported > 0) this.save()
    return { imported, skipped }
  }

  private matchingImported(host: string, port: number): KnownHostsEntry[] {
    return this.data.imported.filter((e) => e.marker === null && entryMatchesHost(e, host, port))
  }

  private load(): TrustFile {
    if (!existsSync(this.file)) return { version: 1, hosts: {}, imported: [] }
    try {
      return fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')))
    } catch {
      // Starting empty would turn every changed key into an "unknown" one the user might accept:
      // refuse instead, and let the user decide what to do with the file.
      throw new HostTrustError('hostTrust.corrupt', `The SSH trust store ${this.file} is damaged.`)
    }
  }

  /** Temp file + rename, mode 0600: a crash never leaves a half-written trust store. */
  private save(): void {
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 })
    const temp = `${this.file}.${process.pid}.tmp`
    rmSync(temp, { force: true }) // a leftover temp file could carry a wider mode
    writeFileSync(temp, JSON.stringify(this.data, null, 2), { mode: 0o600 })
    renameSync(temp, this.file)
  }
}

function entryKey(e: KnownHostsEntry): string {
  return `${e.marker ?? ''} ${e.hosts} ${e.fingerprint}`
}
