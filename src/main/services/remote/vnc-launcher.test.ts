import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isRemoteError } from '../../../shared/remote/remote-error'
import { remoteProfileSchema } from '../../../shared/remote/remote-profile'
import { createFakeBin, type FakeBin } from './launch-test-fakes'
import { launchThirdParty, planThirdPartyLaunch } from './third-party'
import {
  VNC_WEAK_PASSWORD_NOTE,
  launchVnc,
  planVncLaunch,
  resolveVncClient,
  vncObfuscatePassword
} from './vnc-launcher'
import { openWebAdmin, webAdminUrlForProfile } from './web-admin'

const vnc = remoteProfileSchema.parse({ protocol: 'vnc', host: '10.0.0.5', username: 'tech' })

describe('VNC', () => {
  it('obfuscates like vncpasswd -f (known vector, truncation to 8 characters)', () => {
    expect(vncObfuscatePassword('password').toString('hex')).toBe('dbd83cfd727a1458')
    expect(vncObfuscatePassword('password-and-more')).toEqual(vncObfuscatePassword('password'))
    expect(vncObfuscatePassword('')).toHaveLength(8)
  })

  it('plans TigerVNC with a password file, others without, and always warns', () => {
    const tiger = planVncLaunch({
      profile: vnc,
      password: 'longer-than-8',
      tempDir: '/tmp/v',
      client: { kind: 'tigervnc', file: 'vncviewer' }
    })
    expect(tiger.args).toEqual(['-passwd', '/tmp/v/vnc.passwd', '10.0.0.5::5900'])
    expect(tiger.warnings).toEqual([VNC_WEAK_PASSWORD_NOTE.code, 'vnc.passwordTruncated'])
    const remmina = planVncLaunch({
      profile: vnc,
      password: 'pw',
      tempDir: '/tmp/v',
      client: { kind: 'remmina', file: 'remmina' }
    })
    expect(remmina.args).toEqual(['-c', 'vnc://tech@10.0.0.5:5900'])
    expect(JSON.stringify(remmina)).not.toContain('"pw"')
    expect(remmina.warnings).toContain('vnc.passwordNotPassed')
    expect(VNC_WEAK_PASSWORD_NOTE.en).toMatch(/8 characters.*DES.*SSH/s)
  })

  describe('executor (fake viewer)', () => {
    let bin: FakeBin
    let parent: string
    beforeEach(() => {
      bin = createFakeBin()
      parent = mkdtempSync(join(tmpdir(), 'carnet-vnc-test-'))
    })
    afterEach(() => {
      bin.remove()
      rmSync(parent, { recursive: true, force: true })
    })

    it('hands TigerVNC a 0600 password file, not the password, and removes it', async () => {
      const file = bin.add('xtigervncviewer')
      const client = resolveVncClient({ PATH: bin.dir }, 'linux')
      expect(client).toEqual({ kind: 'tigervnc', file })
      const s = await launchVnc({
        profile: vnc,
        password: 'S3cret!',
        client,
        env: { PATH: bin.dir },
        tempParent: parent
      })
      await s.ended
      const [rec] = bin.records('xtigervncviewer')
      expect(rec!.argv.join(' ')).not.toContain('S3cret!')
      const pw = rec!.files[rec!.argv[1]!]!
      expect(pw.mode).toBe(0o600)
      expect(pw.content).toBe(vncObfuscatePassword('S3cret!').toString('hex'))
      expect(existsSync(s.tempDir)).toBe(false)
    })

    it('names what to install when no viewer is found', () => {
      try {
        resolveVncClient({ PATH: bin.dir }, 'linux')
        expect.unreachable()
      } catch (e) {
        expect(isRemoteError(e) && e.code).toBe('remote.clientMissing')
        expect((e as Error).message).toContain('tigervnc-viewer')
      }
    })
  })
})

describe('third-party tools and web admin pages', () => {
  const anydesk = remoteProfileSchema.parse({ protocol: 'anydesk', remoteId: '123 456 789' })

  it('uses the argv template when the tool is installed, the URL scheme otherwise', () => {
    expect(planThirdPartyLaunch(anydesk, '/usr/bin/anydesk')).toMatchObject({
      kind: 'argv',
      plan: { file: '/usr/bin/anydesk', args: ['123456789'] }
    })
    expect(planThirdPartyLaunch(anydesk)).toEqual({ kind: 'url', url: 'anydesk:123456789' })
    const rust = remoteProfileSchema.parse({ protocol: 'rustdesk', remoteId: 'abc123' })
    expect(planThirdPartyLaunch(rust, 'rustdesk')).toMatchObject({
      plan: { args: ['--connect', 'abc123'] }
    })
  })

  it('hands the URL to the checked opener when the tool is not on PATH', async () => {
    const opened: string[] = []
    const r = await launchThirdParty({
      profile: remoteProfileSchema.parse({ protocol: 'teamviewer', remoteId: '987654321' }),
      env: { PATH: '/nonexistent' },
      openUrl: async (u) => (opened.push(u), true)
    })
    expect(r).toEqual({ opened: true, url: 'teamviewer10://control?device=987654321' })
    expect(opened).toEqual(['teamviewer10://control?device=987654321'])
  })

  it('opens web admin pages only through the predicate', async () => {
    const web = remoteProfileSchema.parse({ protocol: 'web', host: '192.168.1.20', port: 8080 })
    expect(webAdminUrlForProfile(web)).toBe('http://192.168.1.20:8080/')
    const opened: string[] = []
    const deps = {
      isAllowed: () => true,
      openExternal: async (u: string) => (opened.push(u), true)
    }
    expect(await openWebAdmin(web, deps)).toEqual({
      url: 'http://192.168.1.20:8080/',
      opened: true
    })
    await expect(openWebAdmin(web, { ...deps, isAllowed: () => false })).rejects.toMatchObject({
      code: 'remote.invalidUrl'
    })
    const withCreds = remoteProfileSchema.parse({ protocol: 'web', url: 'https://a:b@nas.local/' })
    expect(() => webAdminUrlForProfile(withCreds)).toThrow(/credentials/)
    expect(opened).toHaveLength(1)
  })
})
