import { StringDecoder } from 'node:string_decoder'
import type { Client, ClientChannel } from 'ssh2'
import { connectSsh, type SshConnectOptions } from './ssh-connect'
import { mapSsh2Error, SshError } from './ssh-errors'

export type { HostKeyPrompt, SshConnectOptions } from './ssh-connect'
export type { SshCredentials, KeyboardInteractiveAsker } from './ssh-auth'
export { SshError, type SshErrorCode } from './ssh-errors'

export interface SshSessionOptions extends SshConnectOptions {
  cols?: number
  rows?: number
  now?: () => Date
}

export type SshCloseReason =
  | { kind: 'closedByUser' }
  | { kind: 'exited'; exitCode: number | null; signal: string | null }
  | { kind: 'lost'; error: SshError }

type Listener<T> = (value: T) => void

/** How long a polite close may take before the socket is cut. */
const CLOSE_GRACE_MS = 3000
/** Characters kept for a terminal that has not attached yet. */
const BACKLOG_LIMIT = 256 * 1024

/**
 * One interactive terminal: an authenticated connection plus a PTY shell. Output is decoded
 * as UTF-8 with a StringDecoder so a character split across two packets is never mangled.
 */
export class SshSession {
  readonly startedAt: Date
  private endedAtValue: Date | null = null
  private reason: SshCloseReason | null = null
  private readonly dataListeners = new Set<Listener<string>>()
  private readonly closeListeners = new Set<Listener<SshCloseReason>>()
  /** Output that arrived before anyone listened (the login banner, the first prompt). */
  private backlog: string[] = []
  private backlogLength = 0
  private exit: { exitCode: number | null; signal: string | null } | null = null
  private lostError: SshError | null = null
  private userClosing = false
  private readonly closedPromise: Promise<void>

  /** Connects, verifies the host key, logs in and opens the shell. */
  static async open(options: SshSessionOptions): Promise<SshSession> {
    const port = options.port ?? 22
    const { client, fingerprint } = await connectSsh(options)
    const stream = await openShell(client, options, port)
    options.logger.info('ssh session started', { host: options.host, port })
    return new SshSession(client, stream, {
      host: options.host,
      port,
      username: options.username,
      fingerprint,
      now: options.now ?? (() => new Date())
    })
  }

  private constructor(
    private readonly client: Client,
    private readonly stream: ClientChannel,
    readonly info: {
      host: string
      port: number
      username: string
      fingerprint: string
      now: () => Date
    }
  ) {
    this.startedAt = info.now()
    const out = new StringDecoder('utf8')
    const err = new StringDecoder('utf8')
    stream.on('data', (chunk: Buffer) => this.emit(out.write(chunk)))
    stream.stderr.on('data', (chunk: Buffer) => this.emit(err.write(chunk)))
    stream.on('exit', (code: number | null, signal?: string) => {
      this.exit = { exitCode: code ?? null, signal: signal ?? null }
    })
    stream.on('close', () => {
      this.emit(out.end() + err.end())
      client.end()
    })
    client.on('error', (error) => {
      this.lostError ??= mapSsh2Error(error, info.host, info.port)
    })
    this.closedPromise = new Promise((resolve) => {
      client.on('close', () => {
        this.finish()
        resolve()
      })
    })
  }

  get fingerprint(): string {
    return this.info.fingerprint
  }

  get endedAt(): Date | null {
    return this.endedAtValue
  }

  get closeReason(): SshCloseReason | null {
    return this.reason
  }

  /** Keystrokes or pasted text; false once the session is over. */
  write(data: string | Uint8Array): boolean {
    if (this.reason || this.userClosing) return false
    this.stream.write(data)
    return true
  }

  resize(cols: number, rows: number): void {
    if (!validSize(cols) || !validSize(rows))
      throw new SshError('ssh.badOptions', `Invalid terminal size ${cols}x${rows}.`)
    if (this.reason) return
    // setWindow takes rows first; pixel sizes are unknown to a text terminal.
    this.stream.setWindow(rows, cols, 0, 0)
  }

  onData(listener: Listener<string>): () => void {
    this.dataListeners.add(listener)
    const pending = this.backlog.join('')
    this.backlog = []
    this.backlogLength = 0
    if (pending) listener(pending)
    return () => this.dataListeners.delete(listener)
  }

  /** Called once with why the session ended; immediately if it already has. */
  onClose(listener: Listener<SshCloseReason>): () => void {
    if (this.reason) {
      const reason = this.reason
      queueMicrotask(() => listener(reason))
      return () => undefined
    }
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Ends the session; resolves once the connection is closed. */
  close(): Promise<void> {
    if (!this.reason && !this.userClosing) {
      this.userClosing = true
      this.client.end()
      // A server that never acknowledges the disconnect must not keep the tab alive.
      const cut = setTimeout(() => this.client.destroy(), CLOSE_GRACE_MS)
      void this.closedPromise.then(() => clearTimeout(cut))
    }
    return this.closedPromise
  }

  private emit(text: string): void {
    if (!text) return
    if (this.dataListeners.size === 0) {
      this.backlog.push(text)
      this.backlogLength += text.length
      // Nobody is watching (the tab never attached): keep the latest output, not all of it.
      while (this.backlog.length > 1 && this.backlogLength > BACKLOG_LIMIT)
        this.backlogLength -= this.backlog.shift()?.length ?? 0
    }
    for (const listener of this.dataListeners) listener(text)
  }

  private finish(): void {
    if (this.reason) return
    this.reason = this.userClosing
      ? { kind: 'closedByUser' }
      : this.exit
        ? { kind: 'exited', ...this.exit }
        : {
            kind: 'lost',
            error:
              this.lostError ??
              new SshError('ssh.closed', `${this.info.host} closed the connection.`, {
                host: this.info.host,
                port: this.info.port
              })
          }
    this.endedAtValue = this.info.now()
    for (const listener of this.closeListeners) listener(this.reason)
    this.closeListeners.clear()
    this.dataListeners.clear()
  }
}

function validSize(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 10_000
}

function openShell(
  client: Client,
  options: SshSessionOptions,
  port: number
): Promise<ClientChannel> {
  const { host } = options
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new SshError('ssh.closed', `${host} closed the connection.`))
    const timer = setTimeout(() => {
      client.destroy()
      reject(new SshError('ssh.timeout', `${host}:${port} did not open a terminal in time.`))
    }, options.timeoutMs ?? 20_000)
    client.once('close', onClose)
    const pty = { term: 'xterm-256color', cols: options.cols ?? 80, rows: options.rows ?? 24 }
    client.shell(pty, (error, stream) => {
      clearTimeout(timer)
      client.removeListener('close', onClose)
      if (!error) return resolve(stream)
      client.end()
      reject(
        new SshError('ssh.protocol', `${host} refused to open a terminal: ${error.message}`, {
          host,
          port
        })
      )
    })
  })
}
