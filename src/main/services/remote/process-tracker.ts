import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { RemoteError } from '../../../shared/remote/remote-error'

/**
 * Starts external programs with `spawn(file, args)` and no shell (security.md 11), hands secrets
 * over stdin only, and turns the child's exit into the end of a remote session: the timer and
 * the proposed time entry hang on `ended`.
 */
export interface LaunchStep {
  file: string
  args: string[]
  /** Written to the child's stdin, which is then closed. */
  stdin?: string
}

/** Same words as the IPC contract's RemoteSessionEnded. */
export type SessionOutcome = 'ended' | 'failed' | 'cancelled'

export interface SessionEnd {
  exitCode: number | null
  signal: NodeJS.Signals | null
  startedAt: Date
  endedAt: Date
  durationMs: number
  outcome: SessionOutcome
  /** Why a failed session failed, when the client's exit code says so (`remote.authFailed`). */
  code?: string
  /** Last lines the client printed on stderr, secrets replaced by `***`, for the error message. */
  stderrTail: string
}

export interface TrackedProcess {
  pid: number
  startedAt: Date
  ended: Promise<SessionEnd>
  /** Asks the client to close (SIGTERM), then kills it if it lingers; resolves like `ended`. */
  stop(graceMs?: number): Promise<SessionEnd>
}

export type SpawnFn = (file: string, args: string[], options: SpawnOptions) => ChildProcess

export interface TrackOptions {
  env?: NodeJS.ProcessEnv
  /** Values that must never appear in what we keep of the child's output. */
  secrets?: readonly string[]
  /** Exit code → outcome; default: 0 ended, anything else failed. */
  classify?: (
    code: number | null,
    signal: NodeJS.Signals | null
  ) => { outcome: SessionOutcome; code?: string }
  /** Runs after the exit and before `ended` resolves (temp files, cmdkey /delete). */
  onExit?: () => void | Promise<void>
  spawnFn?: SpawnFn
  now?: () => Date
}

const TAIL = 4096

function defaultClassify(code: number | null): { outcome: SessionOutcome; code?: string } {
  return code === 0 ? { outcome: 'ended' } : { outcome: 'failed', code: 'remote.clientFailed' }
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (s) out = out.split(s).join('***')
  return out
}

/** Resolves once the child is running; rejects with `remote.launchFailed` if it cannot start. */
export function startTracked(
  step: LaunchStep,
  options: TrackOptions = {}
): Promise<TrackedProcess> {
  const now = options.now ?? (() => new Date())
  const doSpawn = options.spawnFn ?? spawn
  const child = doSpawn(step.file, step.args, {
    shell: false,
    env: options.env ?? process.env,
    stdio: [step.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    windowsHide: false
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL * 2)
  })
  let stopping = false
  const startedAt = now()

  const ended = new Promise<SessionEnd>((resolve) => {
    child.once('close', (code, signal) => {
      const endedAt = now()
      const verdict: { outcome: SessionOutcome; code?: string } = stopping
        ? { outcome: 'cancelled' }
        : (options.classify ?? defaultClassify)(code, signal)
      const finish = (): void =>
        resolve({
          exitCode: code,
          signal,
          startedAt,
          endedAt,
          durationMs: endedAt.getTime() - startedAt.getTime(),
          outcome: verdict.outcome,
          ...(verdict.code ? { code: verdict.code } : {}),
          stderrTail: redact(stderr, options.secrets ?? []).slice(-TAIL)
        })
      Promise.resolve()
        .then(() => options.onExit?.())
        .catch(() => undefined) // cleanup errors must not leave the session open forever
        .finally(finish)
    })
  })

  return new Promise<TrackedProcess>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      Promise.resolve()
        .then(() => options.onExit?.())
        .catch(() => undefined)
        .finally(() =>
          reject(
            new RemoteError('remote.launchFailed', `could not start ${step.file}: ${err.code}`, {
              file: step.file,
              errno: err.code
            })
          )
        )
    })
    child.once('spawn', () => {
      if (step.stdin !== undefined && child.stdin) {
        // A client that exits before reading (bad arguments) would otherwise raise EPIPE.
        child.stdin.on('error', () => undefined)
        child.stdin.end(step.stdin)
      }
      resolve({
        pid: child.pid ?? -1,
        startedAt,
        ended,
        stop(graceMs = 5000) {
          if (child.exitCode === null && child.signalCode === null) {
            stopping = true
            child.kill('SIGTERM')
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
            timer.unref()
            void ended.finally(() => clearTimeout(timer))
          }
          return ended
        }
      })
    })
  })
}

/** Runs a short helper (cmdkey, vncpasswd) to completion; rejects on a non-zero exit. */
export async function runStep(
  step: LaunchStep,
  options: Omit<TrackOptions, 'classify' | 'onExit'> & { stdout?: boolean } = {}
): Promise<{ exitCode: number | null; stdout: Buffer }> {
  const doSpawn = options.spawnFn ?? spawn
  const child = doSpawn(step.file, step.args, {
    shell: false,
    env: options.env ?? process.env,
    stdio: [step.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true
  })
  const out: Buffer[] = []
  child.stdout?.on('data', (b: Buffer) => out.push(b))
  child.stderr?.resume()
  if (step.stdin !== undefined) {
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(step.stdin)
  }
  return new Promise((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new RemoteError('remote.launchFailed', `could not run ${step.file}: ${err.code}`))
    )
    child.once('close', (code) => {
      if (code === 0) resolve({ exitCode: code, stdout: Buffer.concat(out) })
      else reject(new RemoteError('remote.launchFailed', `${step.file} exited with ${code}`))
    })
  })
}
