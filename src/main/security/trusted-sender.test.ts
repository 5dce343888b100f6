import { describe, expect, it } from 'vitest'
import { appOrigins, isTrustedSender } from './trusted-sender'

describe('appOrigins', () => {
  it('is only the app:// origin when no dev server is configured', () => {
    expect(appOrigins()).toEqual(['app://carnet'])
    expect(appOrigins('')).toEqual(['app://carnet'])
  })

  it('adds the dev server origin (not its path) when configured', () => {
    expect(appOrigins('http://localhost:5173/some/path?x=1')).toEqual([
      'app://carnet',
      'http://localhost:5173'
    ])
  })
})

describe('isTrustedSender', () => {
  const packaged = appOrigins()
  const dev = appOrigins('http://localhost:5173/')

  it.each(['app://carnet/index.html', 'app://carnet/', 'app://carnet/nested/page.html?x=1#y'])(
    'accepts the app page %s',
    (url) => {
      expect(isTrustedSender({ url }, packaged)).toBe(true)
      expect(isTrustedSender({ url, detached: false }, dev)).toBe(true)
    }
  )

  it('refuses a missing frame', () => {
    expect(isTrustedSender(null, packaged)).toBe(false)
    expect(isTrustedSender(undefined, packaged)).toBe(false)
  })

  it("refuses a detached frame even when its URL is the app's", () => {
    expect(isTrustedSender({ url: 'app://carnet/index.html', detached: true }, packaged)).toBe(
      false
    )
  })

  it.each([
    ['file:', 'file:///opt/Carnet/resources/app.asar/out/renderer/index.html'],
    ['another https origin', 'https://evil.example/'],
    ['http loopback', 'http://127.0.0.1:5199/'],
    ['app look-alike host', 'app://carnet.evil/index.html'],
    ['app other host', 'app://other/index.html'],
    ['app with a port', 'app://carnet:8080/index.html'],
    ['about:blank', 'about:blank'],
    ['data:', 'data:text/html,<h1>x</h1>'],
    ['javascript:', 'javascript:alert(1)'],
    ['devtools', 'devtools://devtools/bundled/inspector.html'],
    ['chrome-extension', 'chrome-extension://abcdef/page.html']
  ])('refuses %s (%s)', (_label, url) => {
    expect(isTrustedSender({ url }, packaged)).toBe(false)
    expect(isTrustedSender({ url }, dev)).toBe(false)
  })

  it('accepts the dev server origin only when it is configured', () => {
    const url = 'http://localhost:5173/index.html'
    expect(isTrustedSender({ url }, packaged)).toBe(false)
    expect(isTrustedSender({ url }, dev)).toBe(true)
  })

  it('refuses look-alikes of the configured dev server origin', () => {
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://localhost:5173.evil.example/',
      'http://evil.example/?http://localhost:5173',
      'http://127.0.0.1:5173/'
    ]) {
      expect(isTrustedSender({ url }, dev)).toBe(false)
    }
  })

  it.each(['', 'not a url', '://carnet', 'app//carnet/index.html', '/index.html', 'http://[::1'])(
    'refuses the malformed URL %j',
    (url) => {
      expect(isTrustedSender({ url }, dev)).toBe(false)
    }
  )

  it('refuses everything when no origin is trusted', () => {
    expect(isTrustedSender({ url: 'app://carnet/index.html' }, [])).toBe(false)
  })
})

describe('permissions', () => {
  it('allow only writing to the clipboard; reading it, media, location and the rest stay denied', async () => {
    const { isPermissionAllowed } = await import('./harden')
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true)
    for (const p of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fullscreen',
      'hid',
      'serial'
    ]) {
      expect(isPermissionAllowed(p)).toBe(false)
    }
  })
})
