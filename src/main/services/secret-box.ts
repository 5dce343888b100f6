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

/** Development and tests only: the file's 0600 mode is the only protection. */
export const developmentSecretBox: SecretBox = {
  kind: 'development-file',
  encrypt: (plain) => Buffer.from(`carnet-dev-keystore:${plain}`, 'utf8'),
  decrypt: (data) => {
    const text = data.toString('utf8')
    if (!text.startsWith('carnet-dev-keystore:')) {
      throw new SecretBoxError('vault.corrupt', 'The development keystore file is not readable.')
    }
    return text.slice('carnet-dev-keystore:'.length)
  }
}
