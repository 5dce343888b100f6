import { fail, INVOKE_CHANNELS, type Envelope, type InvokeName } from '../../shared/ipc'
import { isTrustedSender, type SenderFrameLike } from '../security/trusted-sender'
import type { Logger } from '../services/logger'
import type { Dispatch } from './dispatch'

/** The parts of `IpcMainInvokeEvent` and `ipcMain` the adapter uses (tests pass forgeries). */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null
}
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: InvokeEventLike, args: unknown) => Promise<Envelope<unknown>>
  ): void
}

function senderFrameOf(event: InvokeEventLike): SenderFrameLike | null {
  try {
    // Electron throws when the frame has been destroyed or navigated away; that is a refusal.
    return event.senderFrame
  } catch {
    return null
  }
}

/** Wraps one channel: a sender that is not the app's own live frame gets an error, no handler. */
export function createIpcListener(
  name: InvokeName,
  dispatch: Dispatch,
  origins: readonly string[],
  logger: Logger
) {
  return async (event: InvokeEventLike, args: unknown): Promise<Envelope<unknown>> => {
    const frame = senderFrameOf(event)
    let trusted = false
    let url: string | null = null
    try {
      // A disposed WebFrameMain throws on property access: that is a refusal too.
      url = frame ? String(frame.url).slice(0, 200) : null
      trusted = isTrustedSender(frame, origins)
    } catch {
      trusted = false
    }
    if (!trusted) {
      logger.warn('ipc: refused sender', { channel: name, url })
      return fail('ipc.forbiddenSender', 'This window is not allowed to call Carnet.')
    }
    return dispatch(name, args, { host: 'electron' })
  }
}

/** Registers every contract channel through the one listener helper. */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  origins: readonly string[],
  logger: Logger
): void {
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[]) {
    ipcMain.handle(INVOKE_CHANNELS[name], createIpcListener(name, dispatch, origins, logger))
  }
}
