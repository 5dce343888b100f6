import type { AuthStatus } from '../../../shared/ipc/contract'
import { HostError } from '../lib/api'

/** What the page knows at start of this device's sign-in: the status, or why it was not told. */
export type AuthAnswer = { status: AuthStatus; problem: null } | { status: null; problem: string }

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Asks the main process whether this device is signed in. A link to it that drops while the page
 * starts (the browser host's WebSocket; the bridge reconnects on the next call) is asked again,
 * after 0.25, 0.5, 1 and 2 s: read as "signed out", it would hide the sync page's actions until
 * the next reload. Any other failure, or the link still down, is returned with its code so the
 * page can say why it shows the sign-in form.
 */
export async function askAuthStatus(
  ask: () => Promise<AuthStatus>,
  wait: (ms: number) => Promise<void> = sleep,
  attempts = 5
): Promise<AuthAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { status: await ask(), problem: null }
    } catch (error) {
      const code = error instanceof HostError ? error.code : 'app.unexpected'
      if (code !== 'host.disconnected' || attempt >= attempts)
        return { status: null, problem: code }
      await wait(250 * 2 ** (attempt - 1))
    }
  }
}
