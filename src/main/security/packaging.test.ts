import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'

/*
 * security.md items 5 and 14 as configured in electron-builder.yml: fuses, asar, what goes into
 * the package (never the browser host), targets, and an HTTPS-only update feed. The file is read
 * with js-yaml, validated with electron-builder's own schema, and its `files` patterns are run
 * through electron-builder's own matcher: the same code that packages the app.
 */

const ROOT = join(__dirname, '..', '..', '..')
const CONFIG_FILE = join(ROOT, 'electron-builder.yml')
// Both modules come with electron-builder (a declared devDependency); neither ships types.
const requireFromRoot = createRequire(join(ROOT, 'package.json'))
const yaml = requireFromRoot('js-yaml') as { load(text: string): unknown }

type Config = Record<string, unknown>
const config = yaml.load(readFileSync(CONFIG_FILE, 'utf8')) as Config

function section(name: string): Config {
  const value = config[name]
  expect(value, name).toBeTypeOf('object')
  return value as Config
}

function targetsOf(platform: string): string[] {
  const target = section(platform)['target']
  const list = Array.isArray(target) ? target : [target]
  return list.map((t) => (typeof t === 'string' ? t : String((t as Config)['target'])))
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation (no misspelt keys)", async () => {
    const { validateConfiguration } = requireFromRoot(
      'app-builder-lib/out/util/config/config.js'
    ) as { validateConfiguration(config: unknown, logger: unknown): Promise<void> }
    const { DebugLogger } = requireFromRoot('builder-util') as {
      DebugLogger: new (enabled: boolean) => unknown
    }
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('names the app', () => {
    expect(config['appId']).toBe('fr.syndicat-informatique.carnet')
    expect(config['productName']).toBe('Carnet')
    expect(section('directories')['buildResources']).toBe('build')
  })

  it('flips the Electron fuses (security.md item 5)', () => {
    expect(section('electronFuses')).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true
    })
    // The renderer is served from app://, so file:// needs no extra privileges.
    expect(section('electronFuses')['grantFileProtocolExtraPrivileges']).toBe(false)
  })

  it('packs the app into an asar archive', () => {
    expect(config['asar']).toBe(true)
    expect(config['asarUnpack']).toBeUndefined()
  })

  it('builds AppImage + deb, NSIS and dmg', () => {
    expect(targetsOf('linux').sort()).toEqual(['AppImage', 'deb'])
    expect(['Office', 'Utility']).toContain(section('linux')['category'])
    expect(String(section('linux')['maintainer'])).toMatch(/\S+ <[^@\s]+@[^@\s]+>/)
    expect(targetsOf('win')).toEqual(['nsis'])
    expect(targetsOf('mac')).toEqual(['dmg'])
  })

  it('signs macOS builds with the hardened runtime and the minimal entitlements', () => {
    const mac = section('mac')
    expect(mac['hardenedRuntime']).toBe(true)
    expect(mac['entitlements']).toBe('build/entitlements.mac.plist')
    expect(mac['entitlementsInherit']).toBe('build/entitlements.mac.plist')
    const plist = readFileSync(join(ROOT, 'build', 'entitlements.mac.plist'), 'utf8')
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])
    expect(keys).toEqual(['com.apple.security.cs.allow-jit'])
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\s*\/>/)
  })

  it('has the icon in the build resources', () => {
    const png = readFileSync(join(ROOT, 'build', 'icon.png'))
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    )
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512)
  })

  it('publishes updates through a generic HTTPS feed only (security.md item 14)', () => {
    const publish = config['publish']
    const entries = (Array.isArray(publish) ? publish : [publish]) as Config[]
    expect(entries.length).toBeGreaterThan(0)
    for (const entry of entries) {
      expect(entry['provider']).toBe('generic')
      const url = new URL(String(entry['url']))
      expect(url.protocol).toBe('https:')
      expect(url.username + url.password).toBe('')
    }
  })
})

describe('what electron-builder copies into the package', () => {
  type Filter = (file: string, stat: ReturnType<typeof statSync>) => boolean
  const { FileMatcher } = requireFromRoot('app-builder-lib/out/fileMatcher.js') as {
    FileMatcher: new (
      from: string,
      to: string,
      expand: (pattern: string) => string,
      patterns: string[]
    ) => { createFilter(): Filter }
  }

  function packaged(files: string[]): string[] {
    const app = mkdtempSync(join(tmpdir(), 'carnet-pack-'))
    try {
      for (const file of files) {
        mkdirSync(dirname(join(app, file)), { recursive: true })
        writeFileSync(join(app, file), '')
      }
      const patterns = config['files'] as string[]
      const filter = new FileMatcher(app, '/out', (p) => p, patterns).createFilter()
      // A file is copied when it and every folder above it pass the filter.
      return files.filter((file) => {
        const parts = file.split('/')
        return parts.every((_part, i) => {
          const path = join(app, ...parts.slice(0, i + 1))
          return filter(path, statSync(path))
        })
      })
    } finally {
      rmSync(app, { recursive: true, force: true })
    }
  }

  const layout = [
    'package.json',
    'out/main/index.js',
    'out/main/chunks/dispatch-abc123.js',
    'out/main/browser-host.js',
    'out/main/browser-host.js.map',
    'out/main/index.js.map',
    'out/preload/index.js',
    'out/renderer/index.html',
    'out/renderer/assets/index-abc123.js',
    'out/renderer/bench.html',
    'out/renderer/assets/bench-abc123.js',
    'src/main/index.ts',
    'src/main/browser-host/server.ts',
    'tests/e2e/app.spec.ts',
    'build/icon.png',
    'electron-builder.yml',
    '.carnet-data/logs/carnet.log',
    'resources/README.md'
  ]

  it('includes the built shell, preload and renderer', () => {
    expect(packaged(layout)).toEqual([
      'package.json',
      'out/main/index.js',
      'out/main/chunks/dispatch-abc123.js',
      'out/preload/index.js',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js'
    ])
  })

  it('never includes the browser host, sources, tests or local data', () => {
    const copied = packaged(layout)
    expect(copied.filter((f) => f.includes('browser-host'))).toEqual([])
    expect(copied.filter((f) => f.includes('bench'))).toEqual([])
    expect(copied.filter((f) => /^(src|tests|build|\.carnet-data)\//.test(f))).toEqual([])
  })
})
