import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HostTrustStore } from './host-trust'
import type { SshError } from './ssh-errors'
import { SshManager, type SshOpenOptions, type SshSessionRecord } from './ssh-manager'
import type { SshSession } from './ssh-session'
import { sshdAvailable, startSshd, type TestSshd } from './ssh-test-sshd'

const available = sshdAvailable()
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

function output(session: SshSession, pattern: RegExp): Promise<void> {
  let seen = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${pattern}: ${seen}`)), 10_000)
    const stop = session.onData((text) => {
      seen += text
      if (!pattern.test(seen)) return
      clearTimeout(timer)
      stop()
      resolve()
    })
  })
}

describe.runIf(available)('SSH manager (tabs) against a real OpenSSH server', () => {
  let sshd: TestSshd
  let dir: string
  let manager: SshManager
  let clock: Date
  let ended: (SshSessionRecord & { endedAt: string })[]

  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-sshmgr-'))
    clock = new Date('2026-05-04T09:00:00Z')
    manager = new SshManager({ trust: new HostTrustStore(dir), logger: quiet, now: () => clock })
    ended = []
    manager.onSessionEnded((record) => ended.push(record))
  })
  afterEach(async () => {
    await manager.closeAll()
    rmSync(dir, { recursive: true, force: true })
  })

  const tab = (id: string, over: Partial<SshOpenOptions> = {}): SshOpenOptions => ({
    id,
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.keyUser,
    credentials: { privateKey: sshd.clientKey },
    onUnknownHostKey: async () => true,
    ...over
  })

  it('runs two tabs at once, each with its own shell, and reports each end with its times', async () => {
    const [a, b] = await Promise.all([manager.open(tab('tab-a')), manager.open(tab('tab-b'))])
    expect(a).toMatchObject({ id: 'tab-a', startedAt: '2026-05-04T09:00:00.000Z', endedAt: null })
    expect(
      manager
        .list()
        .map((r) => r.id)
        .sort()
    ).toEqual(['tab-a', 'tab-b'])
    expect(manager.active).toBe(true)

    const sa = manager.get('tab-a')!
    const sb = manager.get('tab-b')!
    // Arithmetic, so the shell's echo of the typed line cannot match the expected output.
    const seenA = output(sa, /tab=11/)
    const seenB = output(sb, /tab=22/)
    sa.write('echo tab=$((10+1))\n')
    sb.write('echo tab=$((20+2))\n')
    await Promise.all([seenA, seenB])

    clock = new Date('2026-05-04T09:47:00Z')
    const exited = new Promise<void>((resolve) => manager.onSessionEnded(() => resolve()))
    sb.write('exit\n')
    await exited
    expect(ended).toEqual([
      {
        id: 'tab-b',
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.keyUser,
        startedAt: b.startedAt,
        endedAt: '2026-05-04T09:47:00.000Z',
        closeReason: { kind: 'exited', exitCode: 0, signal: null }
      }
    ])
    expect(manager.list().map((r) => r.id)).toEqual(['tab-a'])

    clock = new Date('2026-05-04T10:15:00Z')
    await manager.closeAll()
    expect(ended.map((r) => [r.id, r.endedAt, r.closeReason?.kind])).toEqual([
      ['tab-b', '2026-05-04T09:47:00.000Z', 'exited'],
      ['tab-a', '2026-05-04T10:15:00.000Z', 'closedByUser']
    ])
    expect(manager.active).toBe(false)
  })

  it('closeAll cancels a tab still waiting for the user to accept the host key', async () => {
    let prompted!: () => void
    const promptShown = new Promise<void>((resolve) => (prompted = resolve))
    const opening = manager.open(
      tab('tab-c', {
        onUnknownHostKey: () => {
          prompted()
          return new Promise<boolean>(() => undefined)
        }
      })
    )
    await promptShown
    expect(manager.active).toBe(true)
    await manager.closeAll()
    const error = await opening.catch((e: SshError) => e)
    expect((error as SshError).code).toBe('ssh.closed')
    expect(manager.active).toBe(false)
    expect(ended).toEqual([]) // no session started, so no time to propose
  })

  it('refuses a duplicate tab id', async () => {
    await manager.open(tab('tab-d'))
    const error = await manager.open(tab('tab-d')).catch((e: SshError) => e)
    expect((error as SshError).code).toBe('ssh.badOptions')
  })
})
