/**
 * Every IPC call answers with an envelope, never a thrown error: a rejected promise loses its
 * code across the Electron boundary, and the renderer must show technicians an actionable message.
 */
export interface IpcError {
  /** Stable, machine-readable (`ipc.invalidArgs`, `ipc.forbiddenSender`, `time.tooLong`...). */
  code: string
  /** Readable English text; the renderer translates known codes. */
  message: string
  /** Per-field problems for invalid arguments. */
  issues?: Array<{ path: string; message: string }>
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError }

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value }
}

export function fail(code: string, message: string, issues?: IpcError['issues']): Envelope<never> {
  return issues
    ? { ok: false, error: { code, message, issues } }
    : { ok: false, error: { code, message } }
}
