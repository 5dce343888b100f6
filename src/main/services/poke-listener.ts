import type { Logger } from './logger'
import { SecretBoxError } from './secret-box'
import type { SyncClient } from './sync-client'

/** Parses Server-Sent Events text into event names; returns the unparsed tail. */
export function parseSseEvents(buffer: string): { events: string[]; rest: string } {
  const events: string[] = []
  const blocks = buffer.split(/\r?\n\r?\n/)
  const rest = blocks.pop() ?? ''
  for (const block of blocks) {
    const name = block
      .split(/\r?\n/)
      .find((line) => line.startsWith('event:'))
      ?.slice('event:'.length)
      .trim()
    if (name) events.push(name)
  }
  return { events, rest }
}

/**
 * Keeps the server's event stream open while signed in and relays `poke` ("pull soon") to the
 * renderer. Reconnects with capped, jittered backoff; the renderer also pulls every 30 s, so a
 * dead stream only delays, never loses, changes.
 */
export class PokeListener {
  private controller: AbortController | null = null

  constructor(
    private readonly client: SyncClient,
    private readonly onPoke: () => void,
    private readonly logger: Logger
  ) {}

  start(): void {
    if (this.controller || !this.signedIn()) return
    const controller = new AbortController()
    this.controller = controller
    void this.run(controller.signal)
  }

  stop(): void {
    this.controller?.abort()
    this.controller = null
  }

  /**
   * The listener is only a hint, so a keyring that refuses to open the session (locked, absent,
   * `basic_text`) means "not listening", never a failed start of the app: the sync screen shows
   * that keyring error itself when it asks for the status. Only the code is logged, never data.
   */
  private signedIn(): boolean {
    try {
      return this.client.status().signedIn
    } catch (error) {
      const code = error instanceof SecretBoxError ? error.code : 'unknown'
      this.logger.warn('sync events: off, the session cannot be read', { code })
      return false
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0
    while (!signal.aborted && this.signedIn()) {
      try {
        const response = await this.client.openEvents(signal)
        failures = 0
        // A (re)connection may have missed pokes: ask for a pull straight away.
        this.onPoke()
        const reader = response.body?.getReader()
        const decoder = new TextDecoder()
        let buffer = ''
        while (reader) {
          const { value, done } = await reader.read()
          if (done) break
          const parsed = parseSseEvents(buffer + decoder.decode(value, { stream: true }))
          buffer = parsed.rest
          if (parsed.events.includes('poke')) this.onPoke()
        }
      } catch (error) {
        if (signal.aborted) return
        failures++
        if (failures === 1)
          this.logger.info('sync events: disconnected', { error: String(error).slice(0, 200) })
      }
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random())
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    if (this.controller?.signal === signal) this.controller = null
  }
}
