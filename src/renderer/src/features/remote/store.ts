import { create } from 'zustand'
import type { EventPayloads, RemoteSessionEnded } from '../../../../shared/ipc/contract'

export interface ActiveSession {
  sessionId: string
  protocol: RemoteSessionEnded['protocol']
  assetId: string
  assetName: string
  interventionId: string | null
  startedAt: string
}

export interface EndedSession {
  session: ActiveSession
  ended: RemoteSessionEnded
}

/**
 * Remote sessions of this window (UI state): the ones running, the ones that ended and wait for
 * the technician to confirm their time, and SSH host-key questions.
 */
export const useRemote = create<{
  active: Record<string, ActiveSession>
  ended: EndedSession[]
  hostKeyPrompts: Array<EventPayloads['sshHostKeyPrompt']>
  started: (s: ActiveSession) => void
  finished: (e: RemoteSessionEnded) => void
  settle: (sessionId: string) => void
}>((set, get) => ({
  active: {},
  ended: [],
  hostKeyPrompts: [],
  started: (s) => set({ active: { ...get().active, [s.sessionId]: s } }),
  finished: (e) => {
    const session = get().active[e.sessionId]
    if (!session) return
    const { [e.sessionId]: _gone, ...rest } = get().active
    set({ active: rest, ended: [...get().ended, { session, ended: e }] })
  },
  settle: (sessionId) =>
    set({ ended: get().ended.filter((x) => x.session.sessionId !== sessionId) })
}))

/**
 * Stores what the technician decided about an ended session (`record`) and only then lets it go
 * from the list: a refusal (its intervention was signed meanwhile…) keeps the dialog open, so
 * they can pick another intervention or log it without billing, and the session's log is not
 * lost. Returns true once recorded; a failure propagates.
 */
export async function settleWhenRecorded(
  sessionId: string,
  record: () => Promise<void>
): Promise<true> {
  await record()
  useRemote.getState().settle(sessionId)
  return true
}

/** True while any remote session runs: the idle/gap question waits (the work is remote). */
export function remoteSessionOpen(): boolean {
  return Object.keys(useRemote.getState().active).length > 0
}
