import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, eventListenerName, INVOKE_CHANNELS } from '../shared/ipc/channels'
import type { CarnetBridge } from '../shared/ipc/contract'

/*
 * The narrow bridge: one named function per contract channel, each bound to its own channel
 * string. Neither `ipcRenderer` nor a generic `invoke(channel)` ever reaches the page.
 */
const bridge: Record<string, unknown> = {}

for (const [name, channel] of Object.entries(INVOKE_CHANNELS)) {
  bridge[name] = (args: unknown) => ipcRenderer.invoke(channel, args ?? {})
}

for (const [name, channel] of Object.entries(EVENT_CHANNELS)) {
  bridge[eventListenerName(name as keyof typeof EVENT_CHANNELS)] = (
    listener: (payload: unknown) => void
  ) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld('carnet', Object.freeze(bridge) as CarnetBridge)
