import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export interface Host {
  url: string
  origin: string
  stop(): Promise<void>
}

const ROOT = resolve(__dirname, '..')

/**
 * Starts the built browser host on a free port with a throw-away data folder and resolves once
 * it prints its `CARNET_URL=` line. `stop` ends that process (and only it) and removes the folder;
 * it is safe to call more than once and also runs at process exit as a last resort.
 */
export function startHost(timeoutMs = 20_000): Promise<Host> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-'))
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'out/main/browser-host.js'), '--port', '0', '--data', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let stopped = false
  const cleanupSync = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
  process.once('exit', cleanupSync)

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dataDir, { recursive: true, force: true })
    process.removeListener('exit', cleanupSync)
  }

  return new Promise<Host>((resolveHost, reject) => {
    let output = ''
    const fail = (reason: string) => {
      clearTimeout(timer)
      void stop().finally(() => reject(new Error(`browser host: ${reason}\n${output}`)))
    }
    const timer = setTimeout(() => fail('no CARNET_URL line in time'), timeoutMs)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => fail(`exited early with code ${String(code)}`))
    child.once('error', (error) => fail(String(error)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /CARNET_URL=(\S+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      const url = match[1] as string
      resolveHost({ url, origin: new URL(url).origin, stop })
    })
  })
}
