import { describe, expect, it } from 'vitest'
import { RDP_ALLOWED_KEYS, buildRdpFile, parseRdpFile, type RdpFileInput } from './rdp-file'
import { isRemoteError } from './remote-error'
import { seededRandom } from '../seeded-random'

const allowed = new Set(Object.keys(RDP_ALLOWED_KEYS))

/** Every line an allowlisted key with its declared type, and no key twice. */
function expectOnlyAllowlisted(text: string): Map<string, string> {
  const lines = parseRdpFile(text)
  const seen = new Map<string, string>()
  for (const line of lines) {
    expect(allowed.has(line.key), `unexpected key ${JSON.stringify(line.key)}`).toBe(true)
    expect(line.type).toBe(RDP_ALLOWED_KEYS[line.key as keyof typeof RDP_ALLOWED_KEYS])
    expect(seen.has(line.key), `duplicate key ${line.key}`).toBe(false)
    seen.set(line.key, line.value)
  }
  return seen
}

describe('the .rdp builder', () => {
  it('writes a safe default file: redirections off, authentication level 2', () => {
    const keys = expectOnlyAllowlisted(buildRdpFile({ host: 'srv-mairie.local', username: 'tech' }))
    expect(keys.get('full address')).toBe('srv-mairie.local:3389')
    expect(keys.get('username')).toBe('tech')
    for (const k of [
      'redirectclipboard',
      'redirectdrives',
      'redirectprinters',
      'redirectsmartcards',
      'redirectwebauthn',
      'redirectcomports',
      'use multimon'
    ]) {
      expect(keys.get(k), k).toBe('0')
    }
    expect(keys.get('drivestoredirect')).toBe('')
    expect(keys.get('authentication level')).toBe('2')
    expect(keys.get('enablecredsspsupport')).toBe('1')
    expect(keys.has('alternate shell')).toBe(false)
  })

  it('turns on exactly what the profile enables', () => {
    const keys = expectOnlyAllowlisted(
      buildRdpFile({
        host: '2001:db8::5',
        port: 3390,
        domain: 'MAIRIE',
        gateway: { host: 'gw.example.org', port: 443 },
        fullscreen: true,
        width: 1920,
        height: 1080,
        multimon: true,
        redirectClipboard: true,
        redirectDrives: true,
        promptForCredentials: true
      })
    )
    expect(keys.get('full address')).toBe('[2001:db8::5]:3390')
    expect(keys.get('gatewayhostname')).toBe('gw.example.org:443')
    expect(keys.get('gatewayusagemethod')).toBe('1')
    expect(keys.get('screen mode id')).toBe('2')
    expect(keys.get('redirectclipboard')).toBe('1')
    expect(keys.get('drivestoredirect')).toBe('*')
    expect(keys.get('redirectprinters')).toBe('0')
    expect(keys.get('prompt for credentials')).toBe('1')
  })

  const long = 'a'.repeat(300)
  const payloads: [string, Partial<RdpFileInput>, string][] = [
    [
      'CRLF + alternate shell in host',
      { host: 'host\r\nalternate shell:s:cmd' },
      'controlCharacter'
    ],
    ['LF in host', { host: 'host\nredirectdrives:i:1' }, 'controlCharacter'],
    ['lone CR in user', { username: 'tech\rdrivestoredirect:s:*' }, 'controlCharacter'],
    ['NUL in host', { host: 'host\u0000.example' }, 'controlCharacter'],
    ['U+2028 in user', { username: 'tech\u2028alternate shell:s:cmd' }, 'controlCharacter'],
    ['U+2029 in domain', { domain: 'MAIRIE\u2029x' }, 'controlCharacter'],
    ['U+0085 (NEL) in user', { username: 'tech\u0085x' }, 'controlCharacter'],
    ['bidi override in user', { username: 'tech\u202Eexe' }, 'controlCharacter'],
    ['tab in domain', { domain: 'MAIRIE\tx' }, 'controlCharacter'],
    ['key:type:value in host', { host: 'host:s:alternate shell' }, 'invalidHost'],
    ['port smuggled in host', { host: 'evil.example:3389' }, 'invalidHost'],
    ['colon in user', { username: 'tech:s:x' }, 'invalidUser'],
    ['semicolon in user', { username: 'tech;x' }, 'invalidUser'],
    ['leading dash in user', { username: '-admin' }, 'invalidUser'],
    ['overlong host', { host: `${long}.example` }, 'tooLong'],
    ['overlong label', { host: `${'a'.repeat(64)}.example` }, 'invalidHost'],
    ['overlong user', { username: long }, 'tooLong'],
    ['port 0', { port: 0 }, 'invalidPort'],
    ['port 65536', { port: 65536 }, 'invalidPort'],
    ['fractional port', { port: 3389.5 }, 'invalidPort'],
    ['gateway with CRLF', { gateway: { host: 'gw\r\nusername:s:x' } }, 'controlCharacter'],
    ['width out of range', { width: 99999 }, 'invalidValue'],
    ['flag as text', { redirectDrives: '1' as unknown as boolean }, 'invalidValue'],
    ['empty host', { host: '' }, 'invalidHost'],
    ['IPv4 with leading zero octet', { host: '010.0.0.1' }, 'invalidHost']
  ]

  it.each(payloads)('rejects %s', (_name, patch, code) => {
    let caught: unknown
    try {
      buildRdpFile({ host: 'srv.example', ...patch })
    } catch (e) {
      caught = e
    }
    expect(isRemoteError(caught)).toBe(true)
    expect((caught as { code: string }).code).toBe(`remote.${code}`)
  })

  it('property: random input either throws a RemoteError or parses to allowlisted keys once', () => {
    // A fixed seed makes any failure reproducible.
    const rand = seededRandom(0x5eed1234)
    const alphabet = [
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
      ...'.-_@\\$: ;,/=*[]',
      '\r',
      '\n',
      '\u0000',
      '\t',
      '\u000b',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u2028',
      '\u2029',
      '\u200b',
      '\u202e',
      '\ufeff',
      'é',
      'ß',
      'Ж',
      '日'
    ]
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const str = (): string => {
      const n = Math.floor(rand() * (rand() < 0.05 ? 300 : 24))
      return Array.from({ length: n }, () => pick(alphabet)).join('')
    }
    const maybe = <T>(f: () => T): T | undefined => (rand() < 0.5 ? f() : undefined)
    let built = 0
    for (let i = 0; i < 5000; i++) {
      const input: RdpFileInput = {
        host: rand() < 0.3 ? pick(['srv.example', '10.0.0.1', '::1']) : str(),
        port: maybe(() => pick([1, 3389, 65535, 0, -1, 70000, Math.floor(rand() * 70000)])),
        username: maybe(() => (rand() < 0.3 ? 'tech' : str())),
        domain: maybe(() => (rand() < 0.3 ? 'MAIRIE' : str())),
        gateway: maybe(() => ({ host: rand() < 0.3 ? 'gw.example' : str() })),
        redirectDrives: maybe(() => rand() < 0.5),
        fullscreen: maybe(() => rand() < 0.5)
      }
      let text: string
      try {
        text = buildRdpFile(input)
      } catch (e) {
        expect(isRemoteError(e), String(e)).toBe(true)
        continue
      }
      built++
      const keys = expectOnlyAllowlisted(text)
      // What was accepted is written verbatim, never trimmed into something else.
      if (input.username !== undefined) expect(keys.get('username')).toBe(input.username)
      expect(keys.get('drivestoredirect')).toBe(input.redirectDrives ? '*' : '')
    }
    expect(built).toBeGreaterThan(200) // the generator also exercises the success path
  })

  it('the parser sees every Unicode line break, so smuggled lines cannot hide from the tests', () => {
    const lines = parseRdpFile('a:s:1\u2028alternate shell:s:cmd\r\nb:i:2\u0085c:i:3')
    expect(lines.map((l) => l.key)).toEqual(['a', 'alternate shell', 'b', 'c'])
  })
})
