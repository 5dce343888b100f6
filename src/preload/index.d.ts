import type { CarnetBridge } from '../shared/ipc/contract'

declare global {
  interface Window {
    /** Installed by the preload (Electron) or the browser host's bridge; use `lib/api.ts`. */
    readonly carnet: CarnetBridge
  }
}

export {}
