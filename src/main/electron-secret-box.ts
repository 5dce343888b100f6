import type { SafeStorage } from 'electron'
import { SecretBoxError, type SecretBox } from './services/secret-box'

/**
 * safeStorage-backed secrets. On Linux without a keyring Electron falls back to `basic_text`
 * (a hard-coded key): that is refused, since it protects nothing (security.md item 7). Accepting
 * that risk explicitly is a later issue's settings switch.
 */
export function electronSecretBox(safeStorage: SafeStorage, platform: string): SecretBox {
  const check = () => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new SecretBoxError(
        'vault.unavailable',
        'The system keyring is not available: secrets cannot be stored.'
      )
    }
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new SecretBoxError(
        'vault.insecureBackend',
        'No system keyring (basic_text backend): Carnet refuses to store secrets.'
      )
    }
  }
  return {
    kind: 'os-keyring',
    encrypt: (plain) => {
      check()
      return safeStorage.encryptString(plain)
    },
    decrypt: (data) => {
      check()
      try {
        return safeStorage.decryptString(data)
      } catch {
        throw new SecretBoxError('vault.corrupt', 'The stored session cannot be decrypted.')
      }
    }
  }
}
