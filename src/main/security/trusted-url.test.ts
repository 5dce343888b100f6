import { describe, expect, it } from 'vitest'
import { EXTERNAL_HOSTS, isTrustedExternalUrl } from './trusted-url'

describe('isTrustedExternalUrl (the one gate in front of shell.openExternal)', () => {
  it('knows carnet.example.org', () => {
    expect(EXTERNAL_HOSTS).toContain('carnet.example.org')
  })

  it.each([
    'https://carnet.example.org',
    'https://carnet.example.org/',
    'https://carnet.example.org/aide/rdp?x=1#section',
    'https://docs.carnet.example.org/guide',
    'https://a.b.carnet.example.org/',
    'https://carnet.example.org:443/explicit-default-port',
    'HTTPS://CARNET.EXAMPLE.ORG/upper-case'
  ])('opens %s', (url) => {
    expect(isTrustedExternalUrl(url)).toBe(true)
  })

  it.each([
    // Look-alike hosts: the allowed name appears, but not as the whole host or a parent domain.
    ['suffix look-alike', 'https://carnet.example.org.attacker.com/'],
    ['hyphen look-alike', 'https://carnet-example.org/'],
    ['prefix look-alike', 'https://xcarnet.example.org/'],
    ['name in the path', 'https://attacker.com/carnet.example.org'],
    ['name in the query', 'https://attacker.com/?next=https://carnet.example.org'],
    ['name in the fragment', 'https://attacker.com/#carnet.example.org'],
    ['name as userinfo', 'https://carnet.example.org@attacker.com/'],
    ['name as userinfo with port', 'https://carnet.example.org:443@attacker.com/'],
    ['encoded dot', 'https://carnet.example.org%2eattacker.com/'],
    ['trailing-dot host', 'https://carnet.example.org./'],
    ['IDN homoglyph (Cyrillic e)', 'https://carn\u0435t.example.org/'],
    ['parent domain only', 'https://example.org/'],
    // Credentials and ports.
    ['userinfo', 'https://user@carnet.example.org/'],
    ['userinfo with password', 'https://user:secret@carnet.example.org/'],
    ['non-443 port', 'https://carnet.example.org:8443/'],
    ['port 80 over https', 'https://carnet.example.org:80/'],
    // Schemes.
    ['http', 'http://carnet.example.org/'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript with the host in a comment', 'javascript://carnet.example.org/%0aalert(1)'],
    ['file', 'file:///etc/passwd'],
    ['file with host', 'file://carnet.example.org/share'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['smb', 'smb://carnet.example.org/share'],
    ['custom scheme', 'ms-settings:privacy'],
    ['protocol-relative', '//carnet.example.org/'],
    ['relative', '/aide'],
    ['empty', ''],
    ['not a URL', 'carnet.example.org'],
    ['IP literal', 'https://127.0.0.1/'],
    ['IPv6 literal', 'https://[::1]/']
  ])('refuses %s: %s', (_label, url) => {
    expect(isTrustedExternalUrl(url)).toBe(false)
  })

  it.each([
    ['CRLF', 'https://carnet.example.org/\r\nhttps://attacker.com/'],
    ['LF', 'https://carnet.example.org/\nx'],
    ['NUL', 'https://carnet.example.org/\u0000.attacker.com'],
    ['tab', 'https://carnet.example.org/\tx'],
    ['DEL', 'https://carnet.example.org/\u007f'],
    ['U+2028', 'https://carnet.example.org/\u2028https://attacker.com/'],
    ['U+2029', 'https://carnet.example.org/\u2029x'],
    ['leading space', ' https://carnet.example.org/'],
    ['trailing space', 'https://carnet.example.org/ '],
    ['inner space', 'https://carnet.example.org/a b']
  ])('refuses a URL containing %s (rejected, not stripped)', (_label, url) => {
    expect(isTrustedExternalUrl(url)).toBe(false)
  })

  it('refuses overlong URLs, even to an allowed host', () => {
    const base = 'https://carnet.example.org/'
    expect(isTrustedExternalUrl(base + 'a'.repeat(2048 - base.length))).toBe(true)
    expect(isTrustedExternalUrl(base + 'a'.repeat(2049 - base.length))).toBe(false)
    expect(isTrustedExternalUrl(base + 'a'.repeat(100_000))).toBe(false)
  })

  it('refuses values that are not strings', () => {
    for (const value of [null, undefined, 42, {}, ['https://carnet.example.org/']]) {
      expect(isTrustedExternalUrl(value as unknown as string)).toBe(false)
    }
  })

  it('uses the allow-list it is given, with the same whole-host rule', () => {
    const hosts = ['support.example.net']
    expect(isTrustedExternalUrl('https://support.example.net/ticket', hosts)).toBe(true)
    expect(isTrustedExternalUrl('https://eu.support.example.net/', hosts)).toBe(true)
    expect(isTrustedExternalUrl('https://carnet.example.org/', hosts)).toBe(false)
    expect(isTrustedExternalUrl('https://support.example.net.evil.io/', hosts)).toBe(false)
    expect(isTrustedExternalUrl('https://carnet.example.org/', [])).toBe(false)
  })
})
