import { randomUUID } from 'node:crypto'
import type { HostTrustStore } from './host-trust'
import { SshError, type SshLogger } from './ssh-errors'
import { SshSession, type SshCloseReason, type SshSessionOptions } from './ssh-session'

/** What the caller needs to propose a remote time entry once a session ends. */
export interface SshSessionRecord {
  id: string
  host: string
  port: number
  username: string
  startedAt: string
  endedAt: string | null
  closeReason: SshCloseReason | null
}

export type SshOpenOptions = Omit<SshSessionOptions, 'trust' | 'logger' | 'signal' | 'now'> & {
  /** Caller-chosen tab id; a random one otherwise. */
  id?: string
}

type EndedListener = (record: SshSessionRecord & { endedAt: string }) => void

/**
 * The open SSH terminals, one per tab. Sessions still connecting are tracked too, so closeAll
 * (app quit, sign-out) also cancels a connection waiting on a host key prompt.
 */
export class SshManager {
  private readonly sessions = new Map<string, SshSession>()
  private readonly connecting = new Map<string, AbortController>()
  private readonly endedListeners = new Set<EndedListener>()

  constructor(
    private readonly deps: {
      trust: HostTrustStore
      logger: SshLogger
      now?: () => Date
    }
  ) {}

  async open(options: SshOpenOptions): Promise<SshSessionRecord> {
    const id = options.id ?? randomUUID()
    if (this.sessions.has(id) || this.connecting.has(id))
      throw new SshError('ssh.badOptions', `A session with id ${id} already exists.`)
    const abort = new AbortController()
    this.connecting.set(id, abort)
    let session: SshSession
    try {
      session = await SshSession.open({
        ...options,
        trust: this.deps.trust,
        logger: this.deps.logger,
        signal: abort.signal,
        now: this.deps.now
      })
    } finally {
      this.connecting.delete(id)
    }
    if (abort.signal.aborted) {
      // closeAll ran while the shell was opening: do not leave a tab nobody tracks.
      await session.close()
      throw new SshError('ssh.closed', 'Connection cancelled.')
    }
    this.sessions.set(id, session)
    session.onClose(() => {
      this.sessions.delete(id)
      const record = recordOf(id, session)
      this.deps.logger.info('ssh session ended', {
        id,
        host: record.host,
        reason: record.closeReason?.kind ?? null
      })
      for (const listener of this.endedListeners)
        listener({ ...record, endedAt: record.endedAt ?? new Date().toISOString() })
    })
    return recordOf(id, session)
  }

  get(id: string): SshSession | undefined {
    return this.sessions.get(id)
  }

  list(): SshSessionRecord[] {
    return [...this.sessions].map(([id, session]) => recordOf(id, session))
  }

  /** True while any terminal is open: idle detection and updates wait for it (security.md 14). */
  get active(): boolean {
    return this.sessions.size > 0 || this.connecting.size > 0
  }

  /** Fired once per session that ends, whatever the reason, with its start and end. */
  onSessionEnded(listener: EndedListener): () => void {
    this.endedListeners.add(listener)
    return () => this.endedListeners.delete(listener)
  }

  async close(id: string): Promise<void> {
    this.connecting.get(id)?.abort()
    await this.sessions.get(id)?.close()
  }

  async closeAll(): Promise<void> {
    for (const abort of this.connecting.values()) abort.abort()
    await Promise.all([...this.sessions.values()].map((s) => s.close()))
  }
}

function recordOf(id: string, session: SshSession): SshSessionRecord {
  return {
    id,
    host: session.info.host,
    port: session.info.port,
    username: session.info.username,
    startedAt: session.startedAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    closeReason: session.closeReason
  }
}
