import type {
  ErrorBody,
  LoginResponse,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse
} from '../../shared/sync/protocol'
import type { AuthStatus } from '../../shared/ipc/contract'
import type { Logger } from './logger'
import { normalizeServerUrl } from './server-url'
import type { TokenVault } from './token-vault'

export type { AuthStatus }

/** A failure the renderer can show; codes are translated there. */
export class SyncClientError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'SyncClientError'
  }
}

const REQUEST_TIMEOUT_MS = 30_000

/**
 * The main process's side of sync: it holds the device tokens (the renderer never sees them),
 * refreshes them, and relays push/pull bodies the renderer built. Transport only: what to push
 * and how to apply a pull is the renderer's sync engine.
 */
export class SyncClient {
  private refreshing: Promise<void> | null = null

  constructor(
    private readonly vault: TokenVault,
    private readonly logger: Logger,
    private readonly fetchImpl: typeof fetch = fetch
  ) {}

  status(): AuthStatus {
    const session = this.vault.read()
    return {
      signedIn: session !== null,
      serverUrl: session?.serverUrl ?? null,
      technician: session?.technician ?? null,
      keystore: this.vault.kind
    }
  }

  async login(input: {
    serverUrl: string
    email: string
    password: string
    deviceName: string
  }): Promise<AuthStatus> {
    const serverUrl = normalizeServerUrl(input.serverUrl)
    if (!serverUrl) {
      throw new SyncClientError(
        'auth.badServerUrl',
        'The server address must be https (http only for this computer).'
      )
    }
    const response = await this.request(serverUrl, '/api/v1/auth/login', {
      email: input.email,
      password: input.password,
      deviceName: input.deviceName
    })
    if (response.status === 401)
      throw new SyncClientError('auth.wrongCredentials', 'Wrong e-mail or password.')
    const body = (await this.readBody(response)) as LoginResponse
    this.vault.write({ ...body, serverUrl })
    this.logger.info('signed in', { serverUrl, technician: body.technician.id })
    return this.status()
  }

  async logout(): Promise<void> {
    const session = this.vault.read()
    if (!session) return
    try {
      await this.request(session.serverUrl, '/api/v1/auth/logout', {}, session.accessToken)
    } catch (error) {
      // Offline sign-out still forgets the tokens here; the server session expires on its own.
      this.logger.warn('logout: server not reached', { error: String(error).slice(0, 200) })
    }
    this.vault.clear()
  }

  push(body: PushRequest): Promise<PushResponse> {
    return this.authorized('/api/v1/sync/push', body) as Promise<PushResponse>
  }

  pull(body: PullRequest): Promise<PullResponse> {
    return this.authorized('/api/v1/sync/pull', body) as Promise<PullResponse>
  }

  /** Opens the server's event stream with a fresh token (for the poke listener). */
  async openEvents(signal: AbortSignal): Promise<Response> {
    const session = this.requireSession()
    let response = await this.fetchImpl(`${session.serverUrl}/api/v1/sync/events`, {
      headers: { authorization: `Bearer ${session.accessToken}`, accept: 'text/event-stream' },
      signal
    })
    if (response.status === 401) {
      await response.body?.cancel()
      await this.refresh()
      const renewed = this.requireSession()
      response = await this.fetchImpl(`${renewed.serverUrl}/api/v1/sync/events`, {
        headers: { authorization: `Bearer ${renewed.accessToken}`, accept: 'text/event-stream' },
        signal
      })
    }
    if (!response.ok)
      throw new SyncClientError(
        'sync.eventsUnavailable',
        `Event stream answered ${response.status}.`
      )
    return response
  }

  private requireSession() {
    const session = this.vault.read()
    if (!session) throw new SyncClientError('auth.required', 'Sign in to synchronize.')
    return session
  }

  private async authorized(path: string, body: unknown): Promise<unknown> {
    const session = this.requireSession()
    let response = await this.request(session.serverUrl, path, body, session.accessToken)
    if (response.status === 401) {
      await response.body?.cancel()
      // Another call may have rotated the pair meanwhile: use it rather than spending another.
      if (this.vault.read()?.accessToken === session.accessToken) await this.refresh()
      const renewed = this.requireSession()
      response = await this.request(renewed.serverUrl, path, body, renewed.accessToken)
    }
    return this.readBody(response)
  }

  /** One refresh at a time: the server spends a refresh token on use, so two would revoke us. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private async doRefresh(): Promise<void> {
    const session = this.requireSession()
    const response = await this.request(session.serverUrl, '/api/v1/auth/refresh', {
      refreshToken: session.refreshToken
    })
    if (response.status === 401) {
      this.vault.clear()
      throw new SyncClientError('auth.required', 'The session ended: sign in again.')
    }
    const body = (await this.readBody(response)) as LoginResponse
    this.vault.write({ ...body, serverUrl: session.serverUrl })
  }

  private async request(
    serverUrl: string,
    path: string,
    body: unknown,
    token?: string
  ): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token) headers['authorization'] = `Bearer ${token}`
    try {
      return await this.fetchImpl(`${serverUrl}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
      })
    } catch (error) {
      throw new SyncClientError(
        'sync.offline',
        `The server is not reachable (${String(error).slice(0, 120)}).`
      )
    }
  }

  private async readBody(response: Response): Promise<unknown> {
    const text = await response.text()
    let body: unknown = null
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      body = null
    }
    if (response.ok) return body
    const error = (body as ErrorBody | null)?.error
    if (response.status === 401) {
      this.vault.clear()
      throw new SyncClientError('auth.required', 'The session ended: sign in again.')
    }
    if (response.status === 429)
      throw new SyncClientError('sync.rateLimited', 'Too many requests: Carnet will retry shortly.')
    if (response.status >= 500) {
      throw new SyncClientError(
        'sync.serverUnavailable',
        `The server is unavailable (${response.status}).`
      )
    }
    throw new SyncClientError(
      'sync.refused',
      `The server refused the request (${response.status} ${error?.code ?? ''}: ${error?.message ?? ''}).`.slice(
        0,
        500
      )
    )
  }
}
