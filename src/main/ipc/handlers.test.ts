import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger, type Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import { TRUST_FILE_NAME } from '../services/remote/host-trust'
import { developmentSecretBox, SecretBoxError, type SecretBox } from '../services/secret-box'
import { createDispatch } from './dispatch'
import { createHandlers } from './handlers'

/*
 * createHandlers runs once at startup, before any window exists: whatever it throws leaves the
 * app running with no window and no IPC. Stores it cannot read must not get that far.
 */

let dir: string
let logger: Logger

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-handlers-'))
  logger = createFileLogger(join(dir, 'logs', 'carnet.log'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function platformWith(secrets: SecretBox): Platform {
  return {
    host: 'electron',
    appName: 'Carnet',
    appVersion: '0.0.0-test',
    platform: 'linux',
    dataDir: dir,
    openExternal: () => Promise.resolve(false),
    secrets,
    emit: () => undefined
  }
}

/** An OS keyring that refuses to open anything, as safeStorage does when locked or absent. */
function refusingKeyring(code: 'vault.unavailable' | 'vault.insecureBackend'): SecretBox {
  const refuse = (): never => {
    throw new SecretBoxError(code, 'The system keyring refuses.')
  }
  return {
    kind: 'os-keyring',
    describe: () => ({ backend: 'basic_text', insecure: true, riskAccepted: false }),
    acceptRisk: () => undefined,
    encrypt: refuse,
    decrypt: refuse
  }
}

describe('createHandlers at startup', () => {
  it.each(['vault.unavailable', 'vault.insecureBackend'] as const)(
    'starts when the keyring refuses to read a stored session (%s)',
    async (code) => {
      // A session saved on an earlier run: reading it is what asks the keyring.
      writeFileSync(join(dir, 'session.bin'), 'access-canary-7f3a')
      const handlers = createHandlers(platformWith(refusingKeyring(code)), logger)
      const dispatch = createDispatch(handlers, logger)
      expect(await dispatch('appInfo', {}, { host: 'electron' })).toMatchObject({ ok: true })
      // Sync reports the keyring error itself, the usual way, when it is used.
      expect(await dispatch('authStatus', {}, { host: 'electron' })).toMatchObject({
        ok: false,
        error: { code }
      })
      const log = readFileSync(logger.file, 'utf8')
      expect(log).toContain('sync events: off, the session cannot be read')
      expect(log).toContain(code)
      expect(log).not.toContain('access-canary')
    }
  )

  it('starts when the SSH host-trust file holds garbage: SSH alone stays off, saying why', async () => {
    const trustFile = join(dir, TRUST_FILE_NAME)
    const garbage = '{"version":1,"hosts":\u0000garbage'
    writeFileSync(trustFile, garbage)
    const handlers = createHandlers(platformWith(developmentSecretBox), logger)
    const dispatch = createDispatch(handlers, logger)
    expect(await dispatch('appInfo', {}, { host: 'electron' })).toMatchObject({ ok: true })
    const profile = { protocol: 'ssh', host: 'srv.mairie.local', username: 'admin' }
    const opened = await dispatch(
      'sshOpen',
      { profile, label: 'Serveur', cols: 80, rows: 24 } as never,
      { host: 'electron' }
    )
    expect(opened).toMatchObject({ ok: false, error: { code: 'hostTrust.damaged' } })
    // Left as it was, for the technician or support to look at: never emptied or renamed.
    expect(readFileSync(trustFile, 'utf8')).toBe(garbage)
    expect(existsSync(`${trustFile}.corrupt`)).toBe(false)
    expect(readFileSync(logger.file, 'utf8')).toContain('ssh trust store unreadable')
  })
})
