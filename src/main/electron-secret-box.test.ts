import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SafeStorage } from 'electron'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { electronSecretBox } from './electron-secret-box'
import { KeyringRisk } from './services/keyring-risk'

// A stand-in for Electron's safeStorage (the binary is not available here): only the backend
// name and availability matter to the refusal logic under test.
function fakeSafeStorage(backend: string, available = true): SafeStorage {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(s).reverse(),
    decryptString: (b: Buffer) => Buffer.from(b).reverse().toString()
  } as unknown as SafeStorage
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-keyring-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('the Electron secret box', () => {
  it('refuses Linux basic_text until the technician explicitly accepts the risk, and remembers it', () => {
    const risk = new KeyringRisk(dir)
    const box = electronSecretBox(fakeSafeStorage('basic_text'), 'linux', risk)
    expect(() => box.encrypt('pw')).toThrow(
      expect.objectContaining({ code: 'vault.insecureBackend' })
    )
    expect(box.describe()).toEqual({ backend: 'basic_text', insecure: true, riskAccepted: false })
    box.acceptRisk(true)
    expect(box.decrypt(box.encrypt('pw'))).toBe('pw')
    expect(
      electronSecretBox(fakeSafeStorage('basic_text'), 'linux', new KeyringRisk(dir)).describe()
        .riskAccepted
    ).toBe(true)
    box.acceptRisk(false)
    expect(() => box.encrypt('pw')).toThrow(
      expect.objectContaining({ code: 'vault.insecureBackend' })
    )
  })

  it('uses a real keyring without asking, and reports an unavailable one', () => {
    const box = electronSecretBox(fakeSafeStorage('gnome_libsecret'), 'linux', new KeyringRisk(dir))
    expect(box.describe().insecure).toBe(false)
    expect(box.decrypt(box.encrypt('pw'))).toBe('pw')
    const none = electronSecretBox(fakeSafeStorage('unknown', false), 'linux', new KeyringRisk(dir))
    expect(() => none.encrypt('pw')).toThrow(expect.objectContaining({ code: 'vault.unavailable' }))
  })
})
