import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseSseEvents } from './poke-listener'
import { developmentSecretBox, SecretBoxError, type SecretBox } from './secret-box'
import { normalizeServerUrl } from './server-url'
import { TokenVault, type StoredSession } from './token-vault'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-vault-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const session: StoredSession = {
  serverUrl: 'https://carnet.example.org',
  deviceId: 'd1',
  accessToken: 'access-canary-7f3a',
  accessTokenExpiresAt: '2026-11-27T10:00:00Z',
  refreshToken: 'refresh-canary-91bc',
  technician: { id: 't1', name: 'Camille', role: 'technician' }
}

describe('the token vault', () => {
  it('stores the session 0600, atomically, and reads it back', () => {
    new TokenVault(dir, developmentSecretBox).write(session)
    const [file] = readdirSync(dir)
    expect(readdirSync(dir)).toHaveLength(1) // no temp file left behind
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600)
    expect(new TokenVault(dir, developmentSecretBox).read()).toEqual(session)
  })

  it('encrypts with the platform box: the token is not on disk in clear', () => {
    const xor: SecretBox = {
      kind: 'os-keyring',
      describe: () => ({ backend: 'test', insecure: false, riskAccepted: false }),
      acceptRisk: () => undefined,
      encrypt: (p) => Buffer.from(Buffer.from(p).map((b) => b ^ 0x5a)),
      decrypt: (d) => Buffer.from(d.map((b) => b ^ 0x5a)).toString()
    }
    new TokenVault(dir, xor).write(session)
    const raw = readFileSync(join(dir, 'session.bin')).toString('latin1')
    expect(raw).not.toContain('access-canary')
    expect(new TokenVault(dir, xor).read()?.refreshToken).toBe('refresh-canary-91bc')
  })

  it('an unreadable file means signed out, not a crash; a refusing keyring is reported', () => {
    writeFileSync(join(dir, 'dev-keystore-session.bin'), 'garbage')
    expect(new TokenVault(dir, developmentSecretBox).read()).toBeNull()
    const refusing: SecretBox = {
      kind: 'os-keyring',
      describe: () => ({ backend: 'test', insecure: false, riskAccepted: false }),
      acceptRisk: () => undefined,
      encrypt: () => {
        throw new SecretBoxError('vault.insecureBackend', 'basic_text')
      },
      decrypt: () => ''
    }
    expect(() => new TokenVault(dir, refusing).write(session)).toThrow(SecretBoxError)
  })

  it('clear forgets the session', () => {
    const vault = new TokenVault(dir, developmentSecretBox)
    vault.write(session)
    vault.clear()
    expect(vault.read()).toBeNull()
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('server addresses', () => {
  it.each([
    ['https://carnet.example.org/', 'https://carnet.example.org'],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://localhost:8787/', 'http://localhost:8787']
  ])('accepts %s', (raw, origin) => expect(normalizeServerUrl(raw)).toBe(origin))

  it.each([
    'http://carnet.example.org',
    'ftp://x',
    'https://u:p@carnet.example.org',
    'https://x/?a=1',
    'nope',
    ''
  ])('refuses %s (tokens never travel in clear beyond this machine)', (raw) =>
    expect(normalizeServerUrl(raw)).toBeNull()
  )
})

describe('server-sent events', () => {
  it('finds event names and keeps an incomplete tail for the next chunk', () => {
    const { events, rest } = parseSseEvents(': keepalive\n\nevent: poke\ndata: {}\n\nevent: po')
    expect(events).toEqual(['poke'])
    expect(rest).toBe('event: po')
    expect(parseSseEvents(rest + 'ke\r\ndata: 1\r\n\r\n').events).toEqual(['poke'])
  })
})
