import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { remoteProfileSchema } from '../../../shared/remote/remote-profile'
import { findExecutable } from './launch-path'
import type { RemoteSession } from './launch-plan'
import { waitFor } from './launch-test-fakes'
import { launchRdp } from './rdp-launcher'
import { allCmdlinesContaining, filesContaining, startRdpPeer, type RdpPeer } from './rdp-test-peer'

/**
 * Real peers (testing.md): a FreeRDP shadow server shares one Xvfb display, the launcher's
 * xfreerdp connects to it from a second one. The password must show up nowhere: not in any
 * process's argv, not in any file the launcher wrote.
 */
const TOOLS = ['Xvfb', 'freerdp-shadow-cli', 'xfreerdp', 'xdotool']
const missing = TOOLS.filter((t) => !findExecutable([t]))
if (missing.length > 0 && !process.env.CI) {
  console.warn(
    `!!! SKIPPING FreeRDP real-peer tests: ${missing.join(', ')} missing — run bash scripts/install-system-deps.sh`
  )
}
const CANARY = 'Rdp-canary-4d1e9b'

describe.skipIf(missing.length > 0 && !process.env.CI)(
  'RDP launcher against a real FreeRDP peer',
  () => {
    let peer: RdpPeer | undefined
    let work: string
    let clientDisplay: string
    let port: number
    let logFile: string
    let session: RemoteSession | undefined

    beforeAll(async () => {
      expect(missing, 'install with bash scripts/install-system-deps.sh').toEqual([])
      work = mkdtempSync(join(tmpdir(), 'carnet-rdp-peer-'))
      peer = await startRdpPeer(work)
      clientDisplay = peer.clientDisplay
      port = peer.port
      logFile = peer.logFile
    }, 30000)

    afterEach(async () => {
      await session?.stop(1000)
      session = undefined
    })

    afterAll(() => {
      peer?.stop()
      if (work) rmSync(work, { recursive: true, force: true })
    })

    const profile = remoteProfileSchema.parse({
      protocol: 'rdp',
      host: '127.0.0.1',
      port: 3389,
      username: 'tech'
    })

    async function connect(): Promise<RemoteSession> {
      const launched = await launchRdp({
        profile: { ...profile, port },
        password: CANARY,
        platform: 'linux',
        env: { ...process.env, DISPLAY: clientDisplay },
        testOnlyIgnoreCertificate: true,
        tempParent: work
      })
      session = launched
      return launched
    }

    function clientWindows(): string[] {
      const r = spawnSync('xdotool', ['search', '--name', 'FreeRDP'], {
        env: { ...process.env, DISPLAY: clientDisplay }
      })
      return r.stdout.toString().split('\n').filter(Boolean)
    }

    it('connects, keeps the password out of argv and files, and stop() ends the session', async () => {
      const before = readFileSync(logFile, 'utf8').split('CONNECTION_STATE_ACTIVE').length
      const s = await connect()
      await waitFor(
        () => readFileSync(logFile, 'utf8').split('CONNECTION_STATE_ACTIVE').length > before,
        'the shadow server to see an active client'
      )
      await waitFor(() => clientWindows().length > 0, 'the FreeRDP window on the client display')
      for (const pid of s.pids) {
        expect(readFileSync(`/proc/${pid}/cmdline`).toString()).not.toContain(CANARY)
      }
      expect(allCmdlinesContaining(CANARY)).toEqual([])
      expect(filesContaining(work, CANARY)).toEqual([])
      const end = await s.stop()
      expect(end.outcome).toBe('cancelled')
      expect(end.durationMs).toBeGreaterThan(0)
      expect(end.endedAt.getTime() - end.startedAt.getTime()).toBe(end.durationMs)
      expect(end.stderrTail).not.toContain(CANARY)
      expect(end.stderrTail).toContain('Password:') // FreeRDP asked on stdin, and got its answer
      expect(readdirSync(work).filter((n) => n.startsWith('carnet-remote-'))).toEqual([])
    }, 30000)

    it('closing the client window ends the session and resolves "ended"', async () => {
      const s = await connect()
      let early: string | undefined
      void s.ended.then((e) => (early = `client exited early (${e.exitCode}): ${e.stderrTail}`))
      const [win] = await waitFor(() => {
        if (early) throw new Error(early)
        const w = clientWindows()
        return w.length > 0 && w
      }, 'the FreeRDP window')
      spawnSync('xdotool', ['windowclose', win!], {
        env: { ...process.env, DISPLAY: clientDisplay }
      })
      const end = await s.ended
      expect(end.outcome).not.toBe('cancelled')
      expect(end.exitCode).not.toBeNull()
      expect(end.durationMs).toBeGreaterThan(0)
      expect(readdirSync(work).filter((n) => n.startsWith('carnet-remote-'))).toEqual([])
      expect(filesContaining(work, CANARY)).toEqual([])
    }, 30000)
  }
)
