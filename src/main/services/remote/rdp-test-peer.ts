// Test helper (not shipped): a FreeRDP shadow server sharing one Xvfb display, and a second
// Xvfb display for the client (testing.md). Used by the launcher's tests and the e2e specs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { waitFor } from './launch-test-fakes'

export async function freePort(): Promise<number> {
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
export async function startXvfb(procs: ChildProcess[]): Promise<string> {
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

export function allCmdlinesContaining(secret: string): string[] {
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

export function filesContaining(dir: string, secret: string): string[] {
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

export interface RdpPeer {
  clientDisplay: string
  port: number
  logFile: string
  /** Times the shadow server has seen a client become active so far. */
  activeClients(): number
  /** FreeRDP client windows on the client display. */
  clientWindows(): string[]
  stop(): void
}

/** Two displays and a listening shadow server (no authentication) on 127.0.0.1. */
export async function startRdpPeer(work: string): Promise<RdpPeer> {
  const procs: ChildProcess[] = []
  try {
    const serverDisplay = await startXvfb(procs)
    const clientDisplay = await startXvfb(procs)
    const port = await freePort()
    const logFile = join(work, 'shadow.log')
    const log = openSync(logFile, 'a')
    const shadow = spawn(
      'freerdp-shadow-cli',
      [`/port:${port}`, '/bind-address:127.0.0.1', '-auth'],
      {
        // DEBUG is what makes the shadow server log the connection state of its clients.
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
    return {
      clientDisplay,
      port,
      logFile,
      activeClients: () =>
        readFileSync(logFile, 'utf8').split('CONNECTION_STATE_ACTIVE').length - 1,
      clientWindows: () =>
        spawnSync('xdotool', ['search', '--name', 'FreeRDP'], {
          env: { ...process.env, DISPLAY: clientDisplay }
        })
          .stdout.toString()
          .split('\n')
          .filter(Boolean),
      stop: () => {
        for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGKILL')
      }
    }
  } catch (error) {
    for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGKILL')
    throw error
  }
}
