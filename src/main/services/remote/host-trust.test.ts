import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostTrustError, HostTrustStore, TRUST_FILE_NAME } from './host-trust'
import { fingerprintOf, parseKnownHosts } from './known-hosts'
import { hostKeyAlgorithms } from './ssh-connect'
import { sshdAvailable, sshKeygenFingerprint } from './ssh-test-sshd'

const available = sshdAvailable()

interface Key {
  line: string
  blob: Buffer
}
const key = (type: 'ed25519' | 'ecdsa' | 'rsa'): Key => {
  const pair =
    type === 'rsa'
      ? utils.generateKeyPairSync('rsa', { bits: 2048 })
      : type === 'ecdsa'
        ? utils.generateKeyPairSync('ecdsa', { bits: 256 })
        : utils.generateKeyPairSync('ed25519')
  const [t, b64] = pair.public.split(' ')
  return { line: `${t} ${b64}`, blob: Buffer.from(b64 ?? '', 'base64') }
}
const ed = key('ed25519')
const ed2 = key('ed25519')
const ecdsa = key('ecdsa')
const rsa = key('rsa')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-hosttrust-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const knownHosts = (text: string): string => {
  const file = join(dir, 'known_hosts')
  writeFileSync(file, text)
  return file
}

describe.runIf(available)('host trust store', () => {
  it('fingerprints like ssh-keygen -lf', () => {
    const pub = join(dir, 'k.pub')
    writeFileSync(pub, `${ecdsa.line} comment\n`)
    expect(fingerprintOf(ecdsa.blob)).toBe(sshKeygenFingerprint(pub))
  })

  it('imports plain and [host]:port entries of each key type', () => {
    const store = new HostTrustStore(dir)
    const file = knownHosts(
      [
        '# a comment',
        `nas.lan,10.0.0.5 ${ed.line}`,
        `[switch.lan]:2222 ${ecdsa.line}`,
        `old-router ${rsa.line} admin@laptop`,
        ''
      ].join('\n')
    )
    expect(store.importKnownHosts(file)).toEqual({ imported: 3, skipped: 0 })
    expect(store.verify('NAS.lan', 22, ed.blob)).toBe('trusted')
    expect(store.verify('10.0.0.5', 22, ed.blob)).toBe('trusted')
    expect(store.verify('switch.lan', 2222, ecdsa.blob)).toBe('trusted')
    expect(store.verify('old-router', 22, rsa.blob)).toBe('trusted')
    // A known host answering with a key of another type is refused as a change, not asked about
    // as a new host: the session asked for the known type first (a man in the middle without
    // that key offers another one).
    expect(store.verify('nas.lan', 22, rsa.blob)).toMatchObject({
      changed: true,
      expected: fingerprintOf(ed.blob)
    })
    // Port matters: the same name on another port is another host.
    expect(store.verify('nas.lan', 2222, ed.blob)).toMatchObject({ unknown: true })
    expect(store.verify('switch.lan', 22, ecdsa.blob)).toMatchObject({ unknown: true })
    expect(store.importKnownHosts(file)).toEqual({ imported: 0, skipped: 0 })
    expect(store.importKnownHosts(join(dir, 'missing'))).toEqual({ imported: 0, skipped: 0 })
  })

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = knownHosts(`srv1.lan ${ed.line}\n[srv2.lan]:2200 ${rsa.line}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' })
    const hashed = readFileSync(file, 'utf8')
    expect(hashed).not.toContain('srv1')
    expect(hashed.split('\n').filter((l) => l.startsWith('|1|'))).toHaveLength(2)
    const store = new HostTrustStore(dir)
    expect(store.importKnownHosts(file).imported).toBe(2)
    expect(store.verify('srv1.lan', 22, ed.blob)).toBe('trusted')
    expect(store.verify('srv2.lan', 2200, rsa.blob)).toBe('trusted')
    expect(store.verify('srv2.lan', 22, rsa.blob)).toMatchObject({ unknown: true })
    expect(store.verify('srv1.lan', 22, ed2.blob)).toEqual({
      changed: true,
      expected: fingerprintOf(ed.blob),
      got: fingerprintOf(ed2.blob),
      keyType: 'ssh-ed25519'
    })
  })

  it('refuses revoked keys for every host; @cert-authority and garbage are skipped', () => {
    const store = new HostTrustStore(dir)
    const file = knownHosts(
      [
        `@revoked * ${ed2.line}`,
        `@cert-authority *.corp ${ecdsa.line}`,
        `bad.lan ssh-rsa ${ed.line.split(' ')[1]}`, // declared type disagrees with the key
        'half a line',
        `*.lan,!evil.lan ${ed.line}`
      ].join('\n')
    )
    expect(store.importKnownHosts(file)).toEqual({ imported: 2, skipped: 3 })
    expect(store.verify('anything', 22, ed2.blob)).toEqual({
      revoked: true,
      fingerprint: fingerprintOf(ed2.blob)
    })
    expect(() => store.trust('anything', 22, ed2.blob)).toThrow(HostTrustError)
    expect(store.verify('web.corp', 22, ecdsa.blob)).toMatchObject({ unknown: true })
    expect(store.verify('router.lan', 22, ed.blob)).toBe('trusted')
    expect(store.verify('evil.lan', 22, ed.blob)).toMatchObject({ unknown: true })
  })

  it('stores accepted keys 0600, atomically, and never silently replaces one', () => {
    const now = () => new Date('2026-03-02T08:00:00Z')
    const store = new HostTrustStore(dir, now)
    expect(store.verify('pc-12', 22, ed.blob)).toEqual({
      unknown: true,
      fingerprint: fingerprintOf(ed.blob),
      keyType: 'ssh-ed25519'
    })
    store.trust('pc-12', 22, ed.blob)
    expect(readdirSync(dir)).toEqual([TRUST_FILE_NAME])
    expect(statSync(join(dir, TRUST_FILE_NAME)).mode & 0o777).toBe(0o600)

    const reloaded = new HostTrustStore(dir)
    expect(reloaded.verify('pc-12', 22, ed.blob)).toBe('trusted')
    expect(reloaded.get('pc-12', 22)).toEqual({
      keyType: 'ssh-ed25519',
      fingerprint: fingerprintOf(ed.blob),
      firstSeen: '2026-03-02T08:00:00.000Z'
    })
    expect(reloaded.verify('pc-12', 22, ed2.blob)).toMatchObject({ changed: true })
    expect(() => reloaded.trust('pc-12', 22, ed2.blob)).toThrow(/forget it first/)
    reloaded.forget('pc-12', 22)
    reloaded.trust('pc-12', 22, ed2.blob)
    expect(new HostTrustStore(dir).verify('pc-12', 22, ed2.blob)).toBe('trusted')
  })

  it('a damaged store is refused rather than emptied', () => {
    writeFileSync(join(dir, TRUST_FILE_NAME), '{"version":1,"hosts":')
    expect(() => new HostTrustStore(dir)).toThrow(
      expect.objectContaining({ code: 'hostTrust.corrupt' })
    )
  })

  it('asks the server for the key type it already knows first', () => {
    const store = new HostTrustStore(dir)
    store.importKnownHosts(knownHosts(`legacy ${rsa.line}\n`))
    expect(store.knownKeyTypes('legacy', 22)).toEqual(['ssh-rsa'])
    expect(hostKeyAlgorithms(store.knownKeyTypes('legacy', 22)).slice(0, 2)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256'
    ])
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519')
    expect(parseKnownHosts(`|1|short|hash ${ed.line}`).skipped).toBe(1)
  })
})
