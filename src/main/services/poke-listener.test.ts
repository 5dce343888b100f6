import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger, type Logger } from './logger'
import { PokeListener } from './poke-listener'
import { SecretBoxError } from './secret-box'
import type { SyncClient } from './sync-client'

let dir: string
let logger: Logger

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-pokes-'))
  logger = createFileLogger(join(dir, 'carnet.log'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('the poke listener', () => {
  it('does not start, and does not throw, when the keyring refuses to read the session', () => {
    let opened = 0
    const client = {
      status: () => {
        throw new SecretBoxError('vault.insecureBackend', 'refresh-canary-91bc')
      },
      openEvents: () => {
        opened++
        return Promise.reject(new Error('not expected'))
      }
    } as unknown as SyncClient
    const pokes = new PokeListener(client, () => undefined, logger)
    expect(() => pokes.start()).not.toThrow()
    expect(opened).toBe(0)
    const lines = readFileSync(logger.file, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      message: 'sync events: off, the session cannot be read',
      context: { code: 'vault.insecureBackend' }
    })
    expect(lines[0]).not.toContain('canary')
    pokes.stop()
  })
})
