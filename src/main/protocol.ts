import { net, protocol } from 'electron'
import { resolveRendererFile } from './services/renderer-files'
import { pathToFileURL } from 'node:url'

/** `app://carnet/...` serves the built renderer; registered before `ready` so it is secure. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle('app', (request) => {
    const url = new URL(request.url)
    if (url.host !== 'carnet') return new Response('Not found', { status: 404 })
    const file = resolveRendererFile(rendererDir, url.pathname)
    if (!file) return new Response('Not found', { status: 404 })
    return net.fetch(pathToFileURL(file).toString())
  })
}
