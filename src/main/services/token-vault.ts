import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { LoginResponse } from '../../shared/sync/protocol'
import { SecretBoxError, type SecretBox } from './secret-box'

/** What the device keeps to talk to the server; never leaves the main process. */
export interface StoredSession extends LoginResponse {
  serverUrl: string
}

/**
 * The device session on disk, encrypted by the platform's secret box, written atomically
 * (temp file + rename) with mode 0600 so a crash never leaves half a token file.
 */
export class TokenVault {
  private readonly file: string
  private cached: StoredSession | null | undefined

  constructor(
    dataDir: string,
    private readonly box: SecretBox
  ) {
    this.file = join(
      dataDir,
      box.kind === 'os-keyring' ? 'session.bin' : 'dev-keystore-session.bin'
    )
  }

  get kind(): SecretBox['kind'] {
    return this.box.kind
  }

  read(): StoredSession | null {
    if (this.cached !== undefined) return this.cached
    if (!existsSync(this.file)) return (this.cached = null)
    try {
      this.cached = JSON.parse(this.box.decrypt(readFileSync(this.file))) as StoredSession
    } catch (error) {
      if (error instanceof SecretBoxError && error.code !== 'vault.corrupt') throw error
      // An unreadable session is a signed-out device, not a crash: the user signs in again.
      this.cached = null
    }
    return this.cached
  }

  write(session: StoredSession): void {
    const data = this.box.encrypt(JSON.stringify(session))
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    const temp = `${this.file}.${process.pid}.tmp`
    writeFileSync(temp, data, { mode: 0o600 })
    renameSync(temp, this.file)
    this.cached = session
  }

  clear(): void {
    rmSync(this.file, { force: true })
    this.cached = null
  }
}
