import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { prepareIndexHtml } from '../browser-host/server'

/*
 * security.md item 2: the renderer's Content-Security-Policy, read from the HTML the app ships,
 * and the same policy as the browser host rewrites it (one extra connect-src entry, nothing else).
 */

const INDEX_HTML = join(__dirname, '..', '..', 'renderer', 'index.html')

type Policy = Map<string, string[]>

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>()
  const pattern = /([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g
  for (const match of tag.matchAll(pattern)) {
    const name = match[1]
    if (!name) continue
    attributes.set(name.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''))
  }
  return attributes
}

/** Every `<meta http-equiv="Content-Security-Policy">` content in the document. */
function cspMetas(html: string): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '')
  const out: string[] = []
  for (const match of withoutComments.matchAll(/<meta\b([^>]*)>/gi)) {
    const attributes = attributesOf(match[1] ?? '')
    if (attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy') {
      out.push(attributes.get('content') ?? '')
    }
  }
  return out
}

function parsePolicy(content: string): { policy: Policy; duplicates: string[] } {
  const policy: Policy = new Map()
  const duplicates: string[] = []
  for (const part of content.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/).filter(Boolean)
    if (!name) continue
    const key = name.toLowerCase()
    // Browsers ignore a repeated directive; flag it rather than guess which one a reader meant.
    if (policy.has(key)) duplicates.push(key)
    else policy.set(key, sources)
  }
  return { policy, duplicates }
}

function policyOf(html: string): Policy {
  const metas = cspMetas(html)
  expect(metas, 'exactly one CSP meta tag').toHaveLength(1)
  const { policy, duplicates } = parsePolicy(metas[0] ?? '')
  expect(duplicates, 'repeated directives').toEqual([])
  return policy
}

const LOOPBACK_SOURCE = /^(ws|http):\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/i

/** The properties security.md item 2 asks of the shipped policy. */
function expectStrictPolicy(policy: Policy, extraConnect: (source: string) => boolean): void {
  expect(policy.get('default-src')).toEqual(["'self'"])

  const script = policy.get('script-src')
  expect(script, 'script-src is declared').toBeDefined()
  expect(script).toContain("'self'")
  for (const source of script ?? []) {
    const s = source.toLowerCase()
    expect(s, `script-src ${source}`).not.toBe("'unsafe-eval'")
    expect(s, `script-src ${source}`).not.toBe("'unsafe-inline'")
    expect(s, `script-src ${source}`).not.toBe("'unsafe-hashes'")
    expect(s, `script-src ${source}`).not.toContain('*')
    // Only 'self' and hashes of known inline scripts: no scheme or host sources.
    expect(
      s === "'self'" || /^'sha(256|384|512)-[a-z0-9+/=]+'$/.test(s),
      `script-src ${source}`
    ).toBe(true)
  }
  for (const directive of ['script-src-elem', 'script-src-attr']) {
    for (const source of policy.get(directive) ?? []) {
      expect(source.toLowerCase(), `${directive} ${source}`).not.toMatch(/unsafe|\*|:$|\/\//)
    }
  }

  const connect = policy.get('connect-src')
  expect(connect, 'connect-src is declared').toBeDefined()
  for (const source of connect ?? []) {
    const s = source.toLowerCase()
    const allowed = s === "'self'" || s === "'none'" || extraConnect(source)
    expect(allowed, `connect-src ${source} reaches beyond the app`).toBe(true)
  }

  expect(policy.get('object-src')).toEqual(["'none'"])
}

describe("the renderer's Content-Security-Policy (src/renderer/index.html)", () => {
  it('exists', () => {
    expect(existsSync(INDEX_HTML), `${INDEX_HTML} is missing`).toBe(true)
  })

  it.runIf(existsSync(INDEX_HTML))(
    'is strict: self-only scripts, no eval, no remote connections',
    () => {
      expectStrictPolicy(policyOf(readFileSync(INDEX_HTML, 'utf8')), (s) => LOOPBACK_SOURCE.test(s))
    }
  )

  it.runIf(existsSync(INDEX_HTML))(
    'keeps the same policy in the browser host, plus only its own socket',
    () => {
      const html = readFileSync(INDEX_HTML, 'utf8')
      const served = prepareIndexHtml(html, 'http://127.0.0.1:5199')
      const before = policyOf(html)
      const after = policyOf(served)
      expectStrictPolicy(after, (s) => LOOPBACK_SOURCE.test(s))
      expect(after.get('connect-src')).toEqual([
        ...(before.get('connect-src') ?? []),
        'ws://127.0.0.1:5199'
      ])
      for (const [directive, sources] of before) {
        if (directive !== 'connect-src') expect(after.get(directive), directive).toEqual(sources)
      }
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
      const bridge = served.indexOf('<script src="/carnet-bridge.js"></script>')
      expect(bridge).toBeGreaterThan(-1)
      const appScripts = [...served.matchAll(/<script\b/g)].map((m) => m.index)
      expect(appScripts.length).toBeGreaterThan(1)
      expect(Math.min(...appScripts)).toBe(bridge)
    }
  )
})

describe('prepareIndexHtml', () => {
  const csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'"
  const html = `<!doctype html>
<html lang="fr">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <title>Carnet</title>
    <script type="module" crossorigin src="/assets/index-abc123.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`

  it('adds exactly the host socket to connect-src and changes no other directive', () => {
    const before = policyOf(html)
    const after = policyOf(prepareIndexHtml(html, 'http://127.0.0.1:41234'))
    expect(after.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:41234'])
    expect(new Map([...after].filter(([k]) => k !== 'connect-src'))).toEqual(
      new Map([...before].filter(([k]) => k !== 'connect-src'))
    )
    expectStrictPolicy(after, (s) => s === 'ws://127.0.0.1:41234')
  })

  it('injects the bridge as the first script, before the app bundle', () => {
    const served = prepareIndexHtml(html, 'http://127.0.0.1:41234')
    const bridge = served.indexOf('<script src="/carnet-bridge.js"></script>')
    const app = served.indexOf('<script type="module" crossorigin src="/assets/index-abc123.js">')
    expect(bridge).toBeGreaterThan(-1)
    expect(app).toBeGreaterThan(bridge)
    expect(served.match(/carnet-bridge\.js/g)).toHaveLength(1)
    // A classic, same-origin script: allowed by script-src 'self' with no inline code.
    expect(served).not.toMatch(/<script>(?!<\/script>)/)
  })

  it('leaves the document otherwise untouched', () => {
    const served = prepareIndexHtml(html, 'http://127.0.0.1:41234')
    const undo = served
      .replace(' ws://127.0.0.1:41234', '')
      .replace('<script src="/carnet-bridge.js"></script>\n    ', '')
    expect(undo).toBe(html)
  })
})

describe('the CSP parser used above', () => {
  it('sees a weakened policy', () => {
    const weak = `<meta content="default-src *; script-src 'self' 'unsafe-eval' https:; connect-src https://sync.example.org" http-equiv="content-security-policy">`
    const policy = policyOf(weak)
    expect(policy.get('script-src')).toEqual(["'self'", "'unsafe-eval'", 'https:'])
    expect(() => expectStrictPolicy(policy, () => false)).toThrow()
  })

  it('ignores commented-out policies and reads entity-encoded quotes', () => {
    const html = `<!-- <meta http-equiv="Content-Security-Policy" content="default-src *"> -->
<meta http-equiv='Content-Security-Policy' content='default-src &#39;self&#39;; object-src &#39;none&#39;'>`
    expect(policyOf(html).get('default-src')).toEqual(["'self'"])
  })
})
