import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { remoteProfileSchema } from '../../../shared/remote/remote-profile'
import { findExecutable } from './launch-path'
import type { RemoteSession } from './launch-plan'
import { waitFor } from './launch-test-fakes'
import { launchRdp } from './rdp-launcher'

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

/**
 * Xvfb on a display well away from developers' own (:0, :1) and other suites' picks; a taken
 * number makes Xvfb exit, and we try another. Ready = it answers an X request.
 */
async function startXvfb(procs: ChildProcess[]): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const display = `:${200 + Math.floor(Math.random() * 700)}`
    if (existsSync(`/tmp/.X${display.slice(1)}-lock`)) continue
    const x = spawn(
      'Xvfb',
      [display, '-noreset', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'],
      {
        stdio: 'ignore'
      }
    )
    procs.push(x)
    const ready = await waitFor(() => {
      if (x.exitCode !== null) return 'exited'
      const r = spawnSync('xdotool', ['getdisplaygeometry'], {
        env: { ...process.env, DISPLAY: display }
      })
      return r.status === 0 && 'ready'
    }, `Xvfb ${display}`)
    if (ready === 'ready') return display
  }
  throw new Error('no free X display found')
}

function allCmdlinesContaining(secret: string): string[] {
  const hits: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`).toString().includes(secret)) hits.push(pid)
    } catch {
      // processes come and go while we read
    }
  }
  return hits
}

function filesContaining(dir: string, secret: string): string[] {
  const hits: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (readFileSync(p).includes(secret)) hits.push(p)
    }
  }
  walk(dir)
  return hits
}

describe.skipIf(missing.length > 0 && !process.env.CI)(
  'RDP launcher against a real FreeRDP peer',
  () => {
    const procs: ChildProcess[] = []
    let work: string
    let serverDisplay: string
    let clientDisplay: string
    let port: number
    let logFile: string
    let session: RemoteSession | undefined

    beforeAll(async () => {
      expect(missing, 'install with bash scripts/install-system-deps.sh').toEqual([])
      work = mkdtempSync(join(tmpdir(), 'carnet-rdp-peer-'))
      serverDisplay = await startXvfb(procs)
      clientDisplay = await startXvfb(procs)
      port = await freePort()
      logFile = join(work, 'shadow.log')
      const log = openSync(logFile, 'a')
      const shadow = spawn(
        'freerdp-shadow-cli',
        [`/port:${port}`, '/bind-address:127.0.0.1', '-auth'],
        // DEBUG is what makes the shadow server log the connection state of its clients.
        {
          env: { ...process.env, DISPLAY: serverDisplay, WLOG_LEVEL: 'DEBUG' },
          stdio: ['ignore', log, log]
        }
      )
      procs.push(shadow)
      const listenDeadline = Date.now() + 14000
      await waitFor(() => {
        if (shadow.exitCode !== null || Date.now() > listenDeadline) {
          const tail = readFileSync(logFile, 'utf8').slice(-2000)
          throw new Error(`shadow server not listening (exit ${shadow.exitCode}): ${tail}`)
        }
        const ss = spawnSync('ss', ['-Hltn', `sport = :${port}`]).stdout.toString()
        return ss.includes(`:${port}`)
      }, 'the shadow server to listen')
    }, 30000)

    afterEach(async () => {
      await session?.stop(1000)
      session = undefined
    })

    afterAll(() => {
      for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGKILL')
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
