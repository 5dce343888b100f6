import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * How the main process protects secrets at rest (security.md item 7). Electron's `safeStorage`
 * encrypts with the OS keyring; the browser host uses a clearly labelled development keystore that
 * only restricts file permissions. There is never a built-in key.
 */
export interface SecretBox {
  readonly kind: 'os-keyring' | 'development-file'
  /** Throws a coded error when the platform cannot protect secrets. */
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
  /** What protects secrets here, for the settings page. */
  describe(): KeyringStatus
  /** Records the technician's choice about an unprotected keyring (no-op where not relevant). */
  acceptRisk(accepted: boolean): void
}

export interface KeyringStatus {
  backend: string
  /** True when the only available storage protects nothing (Linux `basic_text`). */
  insecure: boolean
  riskAccepted: boolean
}

export class SecretBoxError extends Error {
  constructor(
    readonly code: 'vault.unavailable' | 'vault.insecureBackend' | 'vault.corrupt',
    message: string
  ) {
    super(message)
    this.name = 'SecretBoxError'
  }
}

/**
 * Development and tests only (the browser host has no OS keyring): AES-256-GCM under a key that
 * exists only in this process's memory. Secrets and sessions therefore last as long as the host
 * runs — after a restart, sign in and enter passwords again — and nothing readable is left on
 * disk, so the canary tests hold here too.
 */
export function createDevelopmentSecretBox(): SecretBox {
  const key = randomBytes(32)
  return {
    kind: 'development-file',
    describe: () => ({ backend: 'development', insecure: false, riskAccepted: false }),
    acceptRisk: () => undefined,
    encrypt: (plain) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt: (data) => {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
        decipher.setAuthTag(data.subarray(12, 28))
        return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString(
          'utf8'
        )
      } catch {
        throw new SecretBoxError(
          'vault.corrupt',
          'Stored secrets belong to an earlier run of the development host.'
        )
      }
    }
  }
}

/** The browser host's box for this process. */
export const developmentSecretBox: SecretBox = createDevelopmentSecretBox()
