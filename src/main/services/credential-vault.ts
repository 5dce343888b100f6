import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SecretBoxError, type SecretBox } from './secret-box'

interface Entry {
  secret: string
  label: string
  savedAt: string
}

export class CredentialError extends Error {
  constructor(
    readonly code: 'credential.notFound' | 'credential.invalid',
    message: string
  ) {
    super(message)
    this.name = 'CredentialError'
  }
}

/**
 * Remote-access secrets (passwords, private keys, passphrases), stored once and never shown
 * again: the renderer gets an opaque reference, only the main process reads the secret back,
 * to hand it to a client over stdin or to ssh2 in memory (security.md items 7-8, 10).
 * The whole map is one file encrypted by the platform's secret box, replaced atomically.
 */
export class CredentialVault {
  private readonly file: string
  private cache: Map<string, Entry> | null = null

  constructor(
    dataDir: string,
    private readonly box: SecretBox
  ) {
    this.file = join(
      dataDir,
      box.kind === 'os-keyring' ? 'credentials.bin' : 'dev-keystore-credentials.bin'
    )
  }

  get kind(): SecretBox['kind'] {
    return this.box.kind
  }

  save(secret: string, label: string): string {
    if (!secret || secret.length > 64 * 1024 || secret.includes('\0')) {
      throw new CredentialError(
        'credential.invalid',
        'This secret cannot be stored (empty, too long or with a NUL).'
      )
    }
    const entries = this.load()
    const ref = randomUUID()
    entries.set(ref, { secret, label: label.slice(0, 200), savedAt: new Date().toISOString() })
    this.persist(entries)
    return ref
  }

  /** Main process only: never returned to the renderer. */
  reveal(ref: string): string {
    const entry = this.load().get(ref)
    if (!entry)
      throw new CredentialError(
        'credential.notFound',
        'This saved credential no longer exists: enter it again.'
      )
    return entry.secret
  }

  has(ref: string): boolean {
    return this.load().has(ref)
  }

  delete(ref: string): void {
    const entries = this.load()
    if (entries.delete(ref)) this.persist(entries)
  }

  private load(): Map<string, Entry> {
    if (this.cache) return this.cache
    if (!existsSync(this.file)) return (this.cache = new Map())
    try {
      const parsed = JSON.parse(this.box.decrypt(readFileSync(this.file))) as Record<string, Entry>
      return (this.cache = new Map(Object.entries(parsed)))
    } catch (error) {
      if (error instanceof SecretBoxError && error.code !== 'vault.corrupt') throw error
      // Unreadable secrets are lost secrets, not a broken app: profiles ask for them again.
      return (this.cache = new Map())
    }
  }

  private persist(entries: Map<string, Entry>): void {
    const data = this.box.encrypt(JSON.stringify(Object.fromEntries(entries)))
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    const temp = `${this.file}.${process.pid}.tmp`
    writeFileSync(temp, data, { mode: 0o600 })
    renameSync(temp, this.file)
    this.cache = entries
  }
}
