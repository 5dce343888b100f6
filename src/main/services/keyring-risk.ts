import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The technician's explicit acceptance that, on a Linux session without a keyring, secrets are
 * stored under Electron's `basic_text` fallback (a key built into Electron: obfuscation, not
 * protection). Kept as a marker file in the data folder so the choice is made once, knowingly.
 */
export class KeyringRisk {
  private readonly file: string

  constructor(dataDir: string) {
    this.file = join(dataDir, 'keyring-risk-accepted.json')
  }

  accepted(): boolean {
    return existsSync(this.file)
  }

  set(accepted: boolean): void {
    if (!accepted) {
      rmSync(this.file, { force: true })
      return
    }
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 })
    writeFileSync(this.file, JSON.stringify({ acceptedAt: new Date().toISOString() }), {
      mode: 0o600
    })
  }
}
