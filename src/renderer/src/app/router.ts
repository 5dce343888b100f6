import { useSyncExternalStore } from 'react'

export type Route =
  | { page: 'list' }
  | { page: 'new' }
  | { page: 'settings' }
  | { page: 'sync' }
  | { page: 'inventory' }
  | { page: 'terminal'; id: string | null }
  | { page: 'detail'; id: string }

/** Hash routes: they survive a reload and need no server-side routing in either host. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '')
  const detail = /^\/interventions\/([0-9a-f-]{36})$/i.exec(path)
  if (detail?.[1]) return { page: 'detail', id: detail[1] }
  if (path === '/new') return { page: 'new' }
  if (path === '/settings') return { page: 'settings' }
  if (path === '/sync') return { page: 'sync' }
  if (path === '/inventory') return { page: 'inventory' }
  const terminal = /^\/terminal(?:\/([0-9a-f-]{36}))?$/i.exec(path)
  if (terminal) return { page: 'terminal', id: terminal[1] ?? null }
  return { page: 'list' }
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'detail':
      return `#/interventions/${route.id}`
    case 'new':
      return '#/new'
    case 'settings':
      return '#/settings'
    case 'sync':
      return '#/sync'
    case 'inventory':
      return '#/inventory'
    case 'terminal':
      return route.id ? `#/terminal/${route.id}` : '#/terminal'
    default:
      return '#/'
  }
}

export function navigate(route: Route): void {
  location.hash = hrefOf(route)
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback)
  return () => window.removeEventListener('hashchange', callback)
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash)
  return parseRoute(hash)
}
