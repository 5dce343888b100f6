import { describe, expect, it } from 'vitest'
import { effectivePort, remoteProfileSchema } from './remote-profile'
import { isRemoteError } from './remote-error'
import { buildThirdPartyUrl, isThirdPartyUrl } from './third-party-url'
import { validateHost, validateRemoteId, validateUser } from './remote-validate'
import { buildWebAdminUrl, isWebAdminUrl, normalizeWebAdminUrl } from './web-admin-url'

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return isRemoteError(e) ? e.code : 'not-a-remote-error'
  }
  return undefined
}

describe('remote profiles', () => {
  it('parses an RDP profile with every redirection off by default', () => {
    const p = remoteProfileSchema.parse({ protocol: 'rdp', host: 'srv.mairie.local' })
    expect(p.options).toMatchObject({
      redirectClipboard: false,
      redirectDrives: false,
      redirectPrinters: false,
      redirectSmartCards: false,
      redirectWebAuthn: false,
      fullscreen: false
    })
    expect(effectivePort(p)).toBe(3389)
  })

  it('refuses a bad host, port or user name with a clear message and the validator code', () => {
    const bad = [
      { protocol: 'rdp', host: 'srv\r\nalternate shell:s:cmd' },
      { protocol: 'rdp', host: 'srv.local', port: 70000 },
      { protocol: 'rdp', host: 'srv.local', username: 'a:b' },
      { protocol: 'ssh', host: '-oProxyCommand=x' },
      { protocol: 'rdp', host: 'srv.local', options: { shell: 'cmd' } },
      { protocol: 'anydesk' },
      { protocol: 'teamviewer', remoteId: '123&password=x' },
      { protocol: 'vnc' },
      { protocol: 'web' }
    ]
    for (const input of bad) {
      const r = remoteProfileSchema.safeParse(input)
      expect(r.success, JSON.stringify(input)).toBe(false)
      expect(r.error?.issues[0]?.message).toBeTruthy()
    }
    const r = remoteProfileSchema.safeParse({ protocol: 'rdp', host: 'bad host' })
    expect(r.error?.issues[0]).toMatchObject({ params: { code: 'remote.invalidHost' } })
  })

  it('accepts host names, IPv4, IPv6 (bracketed or not) and Windows user names', () => {
    expect(validateHost('PC-042.mairie.local')).toBe('PC-042.mairie.local')
    expect(validateHost('192.168.1.10')).toBe('192.168.1.10')
    expect(validateHost('[fe80::1]')).toBe('fe80::1')
    expect(codeOf(() => validateHost('256.1.1.1'))).toBe('remote.invalidHost')
    expect(codeOf(() => validateHost('1.2.3'))).toBe('remote.invalidHost')
    expect(validateUser('Jean Dupont')).toBe('Jean Dupont')
    expect(validateUser('MAIRIE\\jdupont')).toBe('MAIRIE\\jdupont')
    expect(validateUser('jdupont@mairie.fr')).toBe('jdupont@mairie.fr')
    expect(codeOf(() => validateUser(' lead'))).toBe('remote.invalidUser')
  })
})

describe('third-party tool IDs', () => {
  it('builds the documented URLs from letters and digits only', () => {
    expect(buildThirdPartyUrl('anydesk', '123 456 789')).toBe('anydesk:123456789')
    expect(buildThirdPartyUrl('rustdesk', 'abc123')).toBe('rustdesk://connection/new/abc123')
    expect(buildThirdPartyUrl('teamviewer', '987654321')).toBe(
      'teamviewer10://control?device=987654321'
    )
    for (const id of ['12/../x', '1?a=b', '123\n456', '--help', '', 'x'.repeat(65), '١٢٣']) {
      expect(
        codeOf(() => validateRemoteId(id)),
        id
      ).toMatch(/^remote\./)
    }
    expect(isThirdPartyUrl('anydesk:123')).toBe(true)
    expect(isThirdPartyUrl('anydesk:123&x')).toBe(false)
  })
})

describe('web admin URLs', () => {
  it('builds http(s)://host[:port]/path', () => {
    expect(buildWebAdminUrl({ host: '192.168.1.1' })).toBe('https://192.168.1.1/')
    expect(
      buildWebAdminUrl({ scheme: 'http', host: 'printer-2', port: 8080, path: '/admin' })
    ).toBe('http://printer-2:8080/admin')
    expect(buildWebAdminUrl({ host: 'fe80::1', port: 8443 })).toBe('https://[fe80::1]:8443/')
    expect(buildWebAdminUrl({ host: 'nas.local', port: 443 })).toBe('https://nas.local/')
  })

  it('refuses credentials, other schemes, control characters and authority tricks', () => {
    const bad: [() => unknown, string][] = [
      [() => normalizeWebAdminUrl('https://admin:pw@192.168.1.1/'), 'remote.invalidUrl'],
      [() => normalizeWebAdminUrl('javascript:alert(1)'), 'remote.invalidUrl'],
      [() => normalizeWebAdminUrl('file:///etc/passwd'), 'remote.invalidUrl'],
      [() => normalizeWebAdminUrl('https://nas.local/\r\nx'), 'remote.controlCharacter'],
      [() => normalizeWebAdminUrl('https://nas .local/'), 'remote.invalidUrl'],
      [() => buildWebAdminUrl({ host: 'nas.local', path: '//evil.example/' }), 'remote.invalidUrl'],
      [() => buildWebAdminUrl({ host: 'nas.local', path: '\\\\evil' }), 'remote.invalidUrl'],
      [() => buildWebAdminUrl({ host: 'nas.local/x' }), 'remote.invalidHost']
    ]
    for (const [f, code] of bad) expect(codeOf(f)).toBe(code)
    expect(isWebAdminUrl('https://nas.local/')).toBe(true)
    expect(isWebAdminUrl('https://u:p@nas.local/')).toBe(false)
  })
})
