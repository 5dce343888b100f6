import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { serverBench, type Completed, type Db } from './server-deps'

const ROOT = resolve(__dirname, '..', 'server')
const BUILT = resolve(ROOT, 'dist', 'cli.js')
const CLI = resolve(ROOT, 'bin', 'carnet-server.js')

export interface ServerProcess {
  url: string
  /** The server's own process; null when it runs in this one (PGlite, as deployed). */
  pid: number | null
  /**
   * Fastify's own `responseTime` (onRequest to onResponse, ms) of each completed request whose
   * URL starts with `prefix`, in completion order, logged by the server since `mark`.
   */
  serverTimes(prefix: string, since?: number): number[]
  /** Position in the log, for serverTimes(prefix, mark()). */
  mark(): number
  /** Waits (bounded) until `count` such requests are logged since `since`: logs lag replies. */
  settle(prefix: string, since: number, count: number): Promise<number[]>
  stop(): Promise<void>
}

function reader(done: Completed[]) {
  const serverTimes = (prefix: string, since = 0) =>
    done
      .slice(since)
      .filter((d) => d.url.startsWith(prefix) && d.status === 200)
      .map((d) => d.ms)
  const settle = async (prefix: string, since: number, count: number) => {
    for (let i = 0; i < 100 && serverTimes(prefix, since).length < count; i++)
      await new Promise((r) => setTimeout(r, 20))
    return serverTimes(prefix, since)
  }
  return { mark: () => done.length, serverTimes, settle }
}

/** The embedded (PGlite) server, in this process as deployed (see server/bench/api.ts). */
export async function startInProcess(db: Db): Promise<ServerProcess> {
  const done: Completed[] = []
  const { url, stop } = await serverBench.startInProcess(db, done)
  return { url, pid: null, ...reader(done), stop }
}

/**
 * Starts the real built CLI (`carnet-server serve`, logger on as shipped) on a free loopback
 * port over PostgreSQL (databaseUrl) or an embedded data folder, and reads its JSON log so the
 * time spent inside the server can be set beside the client's end-to-end figure.
 */
export function startServerProcess(
  target: { databaseUrl?: string; dataDir?: string },
  timeoutMs = 60_000
): Promise<ServerProcess> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} missing: run npm run build -w server`)
  const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--json']
  if (target.dataDir) args.push('--data', target.dataDir)
  const env = { ...process.env }
  delete env['DATABASE_URL']
  delete env['CARNET_TEST_HOOKS']
  if (target.databaseUrl) env['DATABASE_URL'] = target.databaseUrl
  const child: ChildProcess = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const urls = new Map<string, string>()
  const done: Completed[] = []
  let pending = ''
  let stderr = ''
  let url: string | null = null
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.once('exit', kill)

  const onLine = (line: string) => {
    if (!line.startsWith('{')) return
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof entry['listening'] === 'string') url = entry['listening']
    const reqId = String(entry['reqId'] ?? '')
    const req = entry['req'] as { url?: string } | undefined
    if (req?.url) urls.set(reqId, req.url)
    if (typeof entry['responseTime'] === 'number') {
      const res = entry['res'] as { statusCode?: number } | undefined
      done.push({
        url: urls.get(reqId) ?? '',
        ms: entry['responseTime'],
        status: res?.statusCode ?? 0
      })
      urls.delete(reqId)
    }
  }

  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill)
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    child.kill('SIGTERM')
    const timer = setTimeout(kill, 10_000)
    await exited
    clearTimeout(timer)
  }

  return new Promise<ServerProcess>((resolveStart, reject) => {
    const timer = setTimeout(() => fail('no listening line in time'), timeoutMs)
    const fail = (reason: string) => {
      clearTimeout(timer)
      void stop().finally(() => reject(new Error(`carnet-server: ${reason}\n${stderr}`)))
    }
    child.once('exit', (code) => url === null && fail(`exited early with code ${String(code)}`))
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)))
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      const wasListening = url !== null
      for (const line of lines) onLine(line)
      if (wasListening || url === null) return
      clearTimeout(timer)
      resolveStart({ url, pid: child.pid ?? null, ...reader(done), stop })
    })
  })
}
