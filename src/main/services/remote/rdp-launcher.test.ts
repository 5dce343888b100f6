import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRdpFile } from '../../../shared/remote/rdp-file'
import { isRemoteError } from '../../../shared/remote/remote-error'
import { remoteProfileSchema } from '../../../shared/remote/remote-profile'
import { createFakeBin, waitFor, type FakeBin } from './launch-test-fakes'
import { launchRdp, planRdpLaunch, resolveRdpClient } from './rdp-launcher'

const CANARY = 'Canary-pw 7f3a;"$x'
const profile = remoteProfileSchema.parse({
  protocol: 'rdp',
  host: 'srv.mairie.local',
  username: 'tech',
  domain: 'MAIRIE'
})

describe('RDP launch plans', () => {
  it('Linux: xfreerdp with the password on stdin, never /p:, and TOFU certificates', () => {
    const plan = planRdpLaunch({
      platform: 'linux',
      profile,
      password: CANARY,
      tempDir: '/tmp/x',
      client: { kind: 'freerdp', file: '/usr/bin/xfreerdp' }
    })
    expect(plan.file).toBe('/usr/bin/xfreerdp')
    expect(plan.args).toEqual([
      '/v:srv.mairie.local:3389',
      '/u:tech',
      '/d:MAIRIE',
      '/from-stdin:force',
      '/cert:tofu',
      '-clipboard'
    ])
    expect(plan.stdin).toBe(`${CANARY}\n`)
    expect(plan.args.join(' ')).not.toContain(CANARY)
    expect(plan.args.some((a) => a.startsWith('/p:'))).toBe(false)
    expect(plan.tempFiles).toEqual([])
  })

  it('Linux: options map to FreeRDP switches; /cert:ignore only with the test-only flag', () => {
    const p = remoteProfileSchema.parse({
      protocol: 'rdp',
      host: '::1',
      port: 3390,
      options: {
        redirectClipboard: true,
        redirectDrives: true,
        width: 1280,
        height: 800,
        gateway: { host: 'gw.example.org' }
      }
    })
    const plan = planRdpLaunch({
      platform: 'linux',
      profile: p,
      tempDir: '/tmp/x',
      client: { kind: 'freerdp', file: 'xfreerdp' },
      testOnlyIgnoreCertificate: true
    })
    expect(plan.args).toEqual([
      '/v:[::1]:3390',
      '/cert:ignore',
      '/g:gw.example.org',
      '/size:1280x800',
      '+clipboard',
      '+drives'
    ])
    expect(plan.stdin).toBeUndefined()
  })

  it('Windows: mstsc with a temporary cmdkey credential that cleanup deletes', () => {
    const plan = planRdpLaunch({
      platform: 'win32',
      profile,
      password: CANARY,
      tempDir: 'C:\\Temp\\carnet-1',
      client: { kind: 'mstsc', file: 'mstsc.exe', cmdkey: 'cmdkey.exe' }
    })
    expect(plan.prepare).toEqual([
      {
        file: 'cmdkey.exe',
        args: ['/generic:TERMSRV/srv.mairie.local', '/user:MAIRIE\\tech', `/pass:${CANARY}`]
      }
    ])
    expect(plan.cleanup).toEqual([
      { file: 'cmdkey.exe', args: ['/delete:TERMSRV/srv.mairie.local'] }
    ])
    const rdp = parseRdpFile(String(plan.tempFiles[0]!.content))
    expect(rdp.find((l) => l.key === 'prompt for credentials')?.value).toBe('0')
    expect(String(plan.tempFiles[0]!.content)).not.toContain(CANARY)
    expect(plan.args).toEqual([plan.tempFiles[0]!.path])
  })

  it('macOS: open -W -a the Windows App with the file and no password', () => {
    const plan = planRdpLaunch({
      platform: 'darwin',
      profile,
      password: CANARY,
      tempDir: '/tmp/x',
      client: { kind: 'mac', file: '/usr/bin/open', app: 'Windows App' }
    })
    expect(plan.args).toEqual(['-W', '-a', 'Windows App', '/tmp/x/session.rdp'])
    expect(JSON.stringify(plan)).not.toContain(CANARY)
    expect(plan.warnings).toContain('rdp.macPasswordNotPassed')
    const rdp = parseRdpFile(String(plan.tempFiles[0]!.content))
    expect(rdp.find((l) => l.key === 'prompt for credentials')?.value).toBe('1')
  })

  it('refuses a password with a line break (it would answer the next prompt)', () => {
    expect(() =>
      planRdpLaunch({
        platform: 'linux',
        profile,
        password: 'pw\nalso',
        tempDir: '/tmp/x',
        client: { kind: 'freerdp', file: 'xfreerdp' }
      })
    ).toThrow(/line break/)
  })
})

describe('RDP launcher executor (fake clients)', () => {
  let bin: FakeBin
  let parent: string
  beforeEach(() => {
    bin = createFakeBin()
    parent = mkdtempSync(join(tmpdir(), 'carnet-rdp-test-'))
  })
  afterEach(() => {
    bin.remove()
    rmSync(parent, { recursive: true, force: true })
  })

  it('names what to install when no RDP client is on PATH', () => {
    let caught: unknown
    try {
      resolveRdpClient('linux', { PATH: bin.dir })
    } catch (e) {
      caught = e
    }
    expect(isRemoteError(caught) && caught.code).toBe('remote.clientMissing')
    expect((caught as Error).message).toContain('freerdp2-x11')
  })

  it('Linux: feeds stdin, tracks the exit and removes the private folder', async () => {
    bin.add('xfreerdp')
    const env = { PATH: bin.dir, FAKE_EXIT: '0' }
    const session = await launchRdp({
      profile,
      password: CANARY,
      platform: 'linux',
      env,
      tempParent: parent
    })
    const end = await session.ended
    const [rec] = bin.records('xfreerdp')
    expect(rec!.stdin).toBe(`${CANARY}\n`)
    expect(rec!.argv.join('\n')).not.toContain(CANARY)
    expect(end.outcome).toBe('ended')
    expect(end.endedAt.getTime()).toBeGreaterThanOrEqual(end.startedAt.getTime())
    expect(existsSync(session.tempDir)).toBe(false)
  })

  it('reports FreeRDP auth failures with a code, and stop() as cancelled', async () => {
    bin.add('xfreerdp')
    const failed = await launchRdp({
      profile,
      platform: 'linux',
      env: { PATH: bin.dir, FAKE_EXIT: '132' },
      tempParent: parent
    })
    expect(await failed.ended).toMatchObject({
      outcome: 'failed',
      code: 'remote.authFailed',
      exitCode: 132
    })
    const running = await launchRdp({
      profile,
      platform: 'linux',
      env: { PATH: bin.dir, FAKE_WAIT: '1' },
      tempParent: parent
    })
    await waitFor(() => bin.records('xfreerdp').length === 2, 'the client to start')
    const end = await running.stop()
    expect(end.outcome).toBe('cancelled')
    expect(end.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('Windows plan run with fakes: cmdkey added before, .rdp 0600 during, cmdkey deleted after', async () => {
    bin.add('mstsc.exe')
    bin.add('cmdkey.exe')
    const env = { PATH: bin.dir, PATHEXT: '.EXE' }
    const session = await launchRdp({
      profile,
      password: CANARY,
      platform: 'win32',
      env,
      tempParent: parent
    })
    await session.ended
    const cmdkey = bin.records('cmdkey.exe')
    expect(cmdkey.map((r) => r.argv[0])).toEqual([
      '/generic:TERMSRV/srv.mairie.local',
      '/delete:TERMSRV/srv.mairie.local'
    ])
    const [mstsc] = bin.records('mstsc.exe')
    const rdp = Object.values(mstsc!.files)[0]!
    expect(rdp.mode).toBe(0o600)
    expect(Buffer.from(rdp.content, 'hex').toString()).toContain(
      'full address:s:srv.mairie.local:3389'
    )
    expect(Buffer.from(rdp.content, 'hex').toString()).not.toContain(CANARY)
    expect(existsSync(session.tempDir)).toBe(false)
  })

  it('an app quitting while the client runs deletes the credential and the folder at once', async () => {
    bin.add('mstsc.exe')
    bin.add('cmdkey.exe')
    const session = await launchRdp({
      profile,
      password: CANARY,
      platform: 'win32',
      env: { PATH: bin.dir, PATHEXT: '.EXE', FAKE_WAIT: '1', FAKE_WAIT_ONLY: 'mstsc.exe' },
      tempParent: parent
    })
    await waitFor(() => bin.records('mstsc.exe').length === 1, 'the client to start')
    await session.release()
    // The client still runs; what it no longer needs is gone.
    expect(bin.records('cmdkey.exe').map((r) => r.argv[0])).toEqual([
      '/generic:TERMSRV/srv.mairie.local',
      '/delete:TERMSRV/srv.mairie.local'
    ])
    expect(existsSync(session.tempDir)).toBe(false)
    // Its exit later does not clean up a second time.
    expect((await session.stop()).outcome).toBe('cancelled')
    expect(bin.records('cmdkey.exe')).toHaveLength(2)
  })
})
