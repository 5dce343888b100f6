import { isDomainError } from '../../../shared/domain/errors'
import { api, HostError } from './api'

export interface UserFacingError {
  code: string
  /** Developer-facing detail (English); the UI shows the translated text for `code`. */
  detail: string
}

/** Normalizes anything thrown into a code + detail, and writes it to the main process's log. */
export function toUserFacingError(error: unknown): UserFacingError {
  if (isDomainError(error)) return { code: error.code, detail: error.message }
  if (error instanceof HostError) return { code: error.code, detail: error.message }
  if (error instanceof Error && error.name === 'QuotaExceededError')
    return { code: 'storage.full', detail: error.message }
  return { code: 'app.unexpected', detail: error instanceof Error ? error.message : String(error) }
}

export function reportError(error: unknown, where: string): UserFacingError {
  const facing = toUserFacingError(error)
  const level = facing.code === 'app.unexpected' ? 'error' : 'warn'
  void api
    .writeLog(level, `${where}: ${facing.code}`, { detail: facing.detail.slice(0, 1000) })
    .catch(() => {
      // The log is best effort: the host may be gone while the page still shows the error.
    })
  return facing
}
