/**
 * The browser host's stand-in for the preload. `installBridge` is serialized with
 * `Function.prototype.toString` and served as a classic script that runs before the app, so it
 * must be self-contained: no imports, no outer variables, plain browser APIs only.
 */
// The browser globals the bridge uses, declared here so the main process's Node program does not
// pull the whole DOM library in.
declare const location: { search: string; pathname: string; hash: string; host: string }
declare const sessionStorage: {
  getItem(k: string): string | null
  setItem(k: string, v: string): void
}
declare const history: { replaceState(data: unknown, unused: string, url: string): void }
declare const window: object

export function installBridge(invokeNames: string[], eventNames: string[]): void {
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl) {
    sessionStorage.setItem('carnet.hostToken', fromUrl)
    params.delete('token')
    const query = params.toString()
    history.replaceState(null, '', location.pathname + (query ? `?${query}` : '') + location.hash)
  }
  const token = sessionStorage.getItem('carnet.hostToken') ?? ''

  type Pending = { resolve: (value: unknown) => void }
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1
  let opened: Promise<WebSocket> | null = null

  const disconnected = (message: string) => ({
    ok: false,
    error: { code: 'host.disconnected', message }
  })

  function connect(): Promise<WebSocket> {
    if (opened) return opened
    opened = new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/carnet-ws?token=${encodeURIComponent(token)}`)
      ws.onopen = () => resolve(ws)
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as {
          t: string
          id?: number
          envelope?: unknown
          name?: string
          payload?: unknown
        }
        if (data.t === 'result' && typeof data.id === 'number') {
          pending.get(data.id)?.resolve(data.envelope)
          pending.delete(data.id)
        } else if (data.t === 'event' && typeof data.name === 'string') {
          listeners.get(data.name)?.forEach((listener) => listener(data.payload))
        }
      }
      ws.onclose = () => {
        opened = null
        for (const [, p] of pending) p.resolve(disconnected('The Carnet host is not reachable.'))
        pending.clear()
        resolve(ws)
      }
    })
    return opened
  }

  const bridge: Record<string, unknown> = {}
  for (const name of invokeNames) {
    bridge[name] = async (args: unknown) => {
      const ws = await connect()
      if (ws.readyState !== WebSocket.OPEN) return disconnected('The Carnet host is not reachable.')
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, { resolve })
        ws.send(JSON.stringify({ t: 'call', id, name, args: args ?? {} }))
      })
    }
  }
  for (const name of eventNames) {
    const key = `on${name.charAt(0).toUpperCase()}${name.slice(1)}`
    bridge[key] = (listener: (payload: unknown) => void) => {
      void connect()
      const set = listeners.get(name) ?? new Set()
      set.add(listener)
      listeners.set(name, set)
      return () => set.delete(listener)
    }
  }
  Object.defineProperty(window, 'carnet', {
    value: Object.freeze(bridge),
    writable: false,
    configurable: false
  })
  void connect()
}
