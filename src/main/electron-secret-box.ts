import type { SafeStorage } from 'electron'
import type { KeyringRisk } from './services/keyring-risk'
import { SecretBoxError, type SecretBox } from './services/secret-box'

/**
 * safeStorage-backed secrets. On Linux without a keyring Electron falls back to `basic_text`
 * (a hard-coded key): that is refused, since it protects nothing (security.md item 7), unless
 * the technician explicitly accepted that risk in the settings.
 */
export function electronSecretBox(
  safeStorage: SafeStorage,
  platform: string,
  risk: KeyringRisk
): SecretBox {
  const insecure = () =>
    platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'
  const check = () => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new SecretBoxError(
        'vault.unavailable',
        'The system keyring is not available: secrets cannot be stored.'
      )
    }
    if (insecure() && !risk.accepted()) {
      throw new SecretBoxError(
        'vault.insecureBackend',
        'No system keyring (basic_text backend): Carnet refuses to store secrets.'
      )
    }
  }
  return {
    kind: 'os-keyring',
    describe: () => ({
      backend: platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os',
      insecure: insecure(),
      riskAccepted: risk.accepted()
    }),
    acceptRisk: (accepted) => risk.set(accepted),
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
