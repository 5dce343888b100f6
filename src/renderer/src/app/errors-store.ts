import { create } from 'zustand'
import { reportError, type UserFacingError } from '../lib/report-error'

/** The one visible error at a time (UI state only). */
export const useErrors = create<{ error: UserFacingError | null; clear: () => void }>((set) => ({
  error: null,
  clear: () => set({ error: null })
}))

/** Runs a user action; on failure shows a translated message and logs it. */
export async function attempt<T>(where: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    const value = await action()
    useErrors.setState({ error: null })
    return value
  } catch (error) {
    useErrors.setState({ error: reportError(error, where) })
    return undefined
  }
}
