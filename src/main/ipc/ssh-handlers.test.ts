import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger, type Logger } from '../services/logger'
import { TRUST_FILE_NAME } from '../services/remote/host-trust'
import { fingerprintOf } from '../services/remote/known-hosts'
import { openTrustStore } from './ssh-handlers'

let dir: string
let logger: Logger

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-ssh-handlers-'))
  logger = createFileLogger(join(dir, 'logs', 'carnet.log'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const blob = Buffer.from(utils.generateKeyPairSync('ed25519').public.split(' ')[1] ?? '', 'base64')

/** A store that did trust this key for pc-12:22, then lost its last bytes. */
function damagedStoreTrustingTheKey(): string {
  const whole = JSON.stringify({
    version: 1,
    hosts: {
      'pc-12:22': {
        keyType: 'ssh-ed25519',
        fingerprint: fingerprintOf(blob),
        firstSeen: '2026-03-02T08:00:00.000Z'
      }
    },
    imported: []
  })
  const damaged = whole.slice(0, -5)
  writeFileSync(join(dir, TRUST_FILE_NAME), damaged)
  return damaged
}

describe('openTrustStore', () => {
  it('keeps a readable store as it is', () => {
    const store = openTrustStore(dir, logger)
    store?.trust('pc-12', 22, blob)
    expect(openTrustStore(dir, logger)?.verify('pc-12', 22, blob)).toBe('trusted')
  })

  it('opens no store from a damaged file, and leaves the file as it is', () => {
    const damaged = damagedStoreTrustingTheKey()
    expect(openTrustStore(dir, logger)).toBeNull()
    expect(readFileSync(join(dir, TRUST_FILE_NAME), 'utf8')).toBe(damaged)
    expect(readFileSync(logger.file, 'utf8')).toContain('ssh trust store unreadable')
  })
})
