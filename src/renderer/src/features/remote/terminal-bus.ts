import { api } from '../../lib/api'
import { useRemote } from './store'

type Writer = (data: string) => void

const writers = new Map<string, Writer>()
const pending = new Map<string, string[]>()

/** Terminal output arrives before a tab may have mounted; it waits here, never dropped. */
export function attachTerminal(sessionId: string, write: Writer): () => void {
  writers.set(sessionId, write)
  for (const chunk of pending.get(sessionId) ?? []) write(chunk)
  pending.delete(sessionId)
  return () => writers.delete(sessionId)
}

/** Subscribes once to the main process's remote-session events. */
export function listenToRemoteEvents(): () => void {
  const offs = [
    api.onSshData(({ sessionId, data }) => {
      const writer = writers.get(sessionId)
      if (writer) writer(data)
      else pending.set(sessionId, [...(pending.get(sessionId) ?? []), data])
    }),
    api.onRemoteSessionEnded((ended) => useRemote.getState().finished(ended)),
    api.onSshHostKeyPrompt((prompt) =>
      useRemote.setState((s) => ({ hostKeyPrompts: [...s.hostKeyPrompts, prompt] }))
    )
  ]
  return () => offs.forEach((off) => off())
}
