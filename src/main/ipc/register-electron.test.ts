import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { developmentSecretBox } from '../services/secret-box'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS, type Envelope, type InvokeName } from '../../shared/ipc'
import { appOrigins } from '../security/trusted-sender'
import { createFileLogger, type Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import { recordingHandlers as recording, type Call } from './recording-handlers'
import { createDispatch } from './dispatch'
import { createHandlers } from './handlers'
import { registerIpc, type InvokeEventLike, type IpcMainLike } from './register-electron'

/*
 * security.md item 4 through the Electron adapter: a fake ipcMain collects the listeners the real
 * registration installs, and the tests call them as Electron would, with forged senders.
 */

type Listener = (event: InvokeEventLike, args: unknown) => Promise<Envelope<unknown>>

const PASSWORD = 'canary-S3cret-b41d77'
const APP_FRAME = { url: 'app://carnet/index.html', detached: false }

let dir: string
let logger: Logger
let calls: Call[]
const recordingHandlers = () => recording(calls)

function logText(): string {
  return existsSync(logger.file) ? readFileSync(logger.file, 'utf8') : ''
}

function fakeIpcMain() {
  const registered: Array<{ channel: string; listener: Listener }> = []
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      registered.push({ channel, listener })
    }
  }
  const listenerFor = (name: InvokeName): Listener => {
    const entry = registered.find((r) => r.channel === INVOKE_CHANNELS[name])
    if (!entry) throw new Error(`${name} is not registered`)
    return entry.listener
  }
  return { ipcMain, registered, listenerFor }
}

function setup(origins: readonly string[] = appOrigins(), handlers = recordingHandlers()) {
  const fake = fakeIpcMain()
  registerIpc(fake.ipcMain, createDispatch(handlers, logger), origins, logger)
  return fake
}

const validArgs: { [K in InvokeName]: unknown } = {
  appInfo: {},
  writeLog: { level: 'info', message: 'hello' },
  openExternal: { url: 'https://carnet.example.org/' },
  authStatus: {},
  authLogin: { serverUrl: 'https://s.example', email: 'a@b.fr', password: 'x', deviceName: 'pc' },
  authLogout: {},
  syncPush: {
    request: {
      protocolVersion: 1,
      schemaVersion: 1,
      clientGroupId: '0190a7e4-8c3b-7c1e-9a2b-3c4d5e6f7a8b',
      clientId: '0190a7e4-8c3b-7c1e-9a2b-3c4d5e6f7a8c',
      mutations: []
    }
  },
  syncPull: {
    request: {
      protocolVersion: 1,
      schemaVersion: 1,
      clientGroupId: '0190a7e4-8c3b-7c1e-9a2b-3c4d5e6f7a8b',
      cookie: null
    }
  },
  vaultStatus: {},
  vaultAcceptRisk: { accept: true },
  credentialSave: { secret: 's3cret', label: 'SRV' },
  credentialDelete: { credentialRef: 'ref-1' },
  remoteLaunch: {
    profile: {
      protocol: 'rdp',
      host: 'srv.example',
      options: {
        fullscreen: false,
        multimon: false,
        redirectClipboard: false,
        redirectDrives: false,
        redirectPrinters: false,
        redirectSmartCards: false,
        redirectWebAuthn: false
      }
    },
    label: 'SRV'
  },
  remoteEnd: { sessionId: 's1' },
  sshOpen: {
    profile: {
      protocol: 'ssh',
      host: 'srv.example',
      username: 'root',
      options: {
        fullscreen: false,
        multimon: false,
        redirectClipboard: false,
        redirectDrives: false,
        redirectPrinters: false,
        redirectSmartCards: false,
        redirectWebAuthn: false
      }
    },
    label: 'SRV',
    cols: 80,
    rows: 24
  },
  sshWrite: { sessionId: 's2', data: 'ls\n' },
  sshResize: { sessionId: 's2', cols: 80, rows: 24 },
  sshHostKeyAnswer: { promptId: 'p1', accept: true }
}
const names = Object.keys(INVOKE_CHANNELS) as InvokeName[]

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-ipc-'))
  logger = createFileLogger(join(dir, 'logs', 'carnet.log'))
  calls = []
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
})

afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

describe('registerIpc', () => {
  it('registers every contract channel exactly once, and nothing else', () => {
    const { registered } = setup()
    const channels = registered.map((r) => r.channel)
    expect(channels.length).toBe(new Set(channels).size)
    expect([...channels].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort())
  })

  it.each(names)('%s answers the app’s own frame through the handler', async (name) => {
    const { listenerFor } = setup()
    const result = await listenerFor(name)({ senderFrame: APP_FRAME }, validArgs[name])
    expect(result.ok).toBe(true)
    expect(calls).toEqual([{ name, args: validArgs[name] }])
  })

  it('routes each channel to its own handler', async () => {
    const { listenerFor } = setup()
    for (const name of names) await listenerFor(name)({ senderFrame: APP_FRAME }, validArgs[name])
    expect(calls.map((c) => c.name)).toEqual(names)
  })
})

describe('forged senders get ipc.forbiddenSender and never reach a handler', () => {
  const throwingEvent: InvokeEventLike = {
    get senderFrame(): never {
      throw new Error('Render frame was disposed before WebFrameMain could be accessed')
    }
  }
  const forged: Array<[string, InvokeEventLike]> = [
    ['a null frame', { senderFrame: null }],
    ['a detached app frame', { senderFrame: { url: 'app://carnet/index.html', detached: true } }],
    ['a senderFrame getter that throws', throwingEvent],
    ['an https origin', { senderFrame: { url: 'https://evil.example/' } }],
    ['a file:// page', { senderFrame: { url: 'file:///tmp/evil.html' } }],
    ['an app:// look-alike host', { senderFrame: { url: 'app://carnet.evil/index.html' } }],
    ['the dev server when none is configured', { senderFrame: { url: 'http://localhost:5173/' } }],
    ['about:blank', { senderFrame: { url: 'about:blank' } }],
    ['a malformed URL', { senderFrame: { url: 'not a url' } }]
  ]

  for (const name of names) {
    it.each(forged)(`${name}: %s`, async (_label, event) => {
      const { listenerFor } = setup()
      const result = await listenerFor(name)(event, validArgs[name])
      expect(result).toEqual({
        ok: false,
        error: { code: 'ipc.forbiddenSender', message: expect.any(String) }
      })
      expect(calls).toEqual([])
      expect(logText()).toContain('ipc: refused sender')
    })
  }

  it('checks the sender before the arguments', async () => {
    const { listenerFor } = setup()
    const result = await listenerFor('writeLog')({ senderFrame: null }, { nonsense: true })
    expect(result.ok || result.error.code).toBe('ipc.forbiddenSender')
  })

  it('accepts the dev server only when it is configured', async () => {
    const frame = { url: 'http://localhost:5173/index.html' }
    const dev = setup(appOrigins('http://localhost:5173'))
    expect((await dev.listenerFor('appInfo')({ senderFrame: frame }, {})).ok).toBe(true)
    const packaged = setup(appOrigins())
    expect((await packaged.listenerFor('appInfo')({ senderFrame: frame }, {})).ok).toBe(false)
  })

  it('never calls a handler when the frame’s url getter throws', async () => {
    const { listenerFor } = setup()
    const frame = {
      detached: false,
      get url(): string {
        throw new Error('Render frame was disposed')
      }
    }
    const outcome = await listenerFor('appInfo')({ senderFrame: frame }, {}).catch(
      (error: unknown) => ({ rejected: error })
    )
    expect(outcome).not.toMatchObject({ ok: true })
    expect(calls).toEqual([])
  })
})

describe('malformed arguments from the app’s own frame', () => {
  it.each([
    ['writeLog', { level: 1, message: 'm' }],
    ['writeLog', { level: 'info' }],
    ['writeLog', { level: 'info', message: 'm', extra: 1 }],
    ['writeLog', { level: 'info', message: 'x'.repeat(1_000_000) }],
    ['writeLog', null],
    ['writeLog', []],
    ['openExternal', { url: 'x'.repeat(5000) }],
    ['openExternal', 'https://carnet.example.org/'],
    [
      'openExternal',
      JSON.parse('{"url":"https://carnet.example.org/","__proto__":{"polluted":1}}')
    ],
    ['appInfo', { a: 1 }]
  ] as Array<[InvokeName, unknown]>)(
    '%s %#: ipc.invalidArgs, handler not called',
    async (name, args) => {
      const { listenerFor } = setup()
      const result = await listenerFor(name)({ senderFrame: APP_FRAME }, args)
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.code).toBe('ipc.invalidArgs')
      expect(result.error.issues?.length).toBeGreaterThan(0)
      expect(calls).toEqual([])
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    }
  )
})

describe('the real handlers through the Electron adapter', () => {
  function realSetup() {
    const opened: string[] = []
    const platform: Platform = {
      host: 'electron',
      appName: 'Carnet',
      appVersion: '1.0.0',
      platform: 'linux',
      dataDir: dir,
      openExternal: (url) => {
        opened.push(url)
        return Promise.resolve(true)
      },
      secrets: developmentSecretBox,
      emit: () => undefined
    }
    const fake = fakeIpcMain()
    registerIpc(
      fake.ipcMain,
      createDispatch(createHandlers(platform, logger), logger),
      appOrigins(),
      logger
    )
    return { ...fake, opened }
  }

  it('openExternal refuses an untrusted URL without calling the platform', async () => {
    const { listenerFor, opened } = realSetup()
    const result = await listenerFor('openExternal')(
      { senderFrame: APP_FRAME },
      { url: 'https://carnet.example.org.attacker.com/login' }
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'shell.untrustedUrl' } })
    expect(opened).toEqual([])
  })

  it('openExternal from a forged sender never reaches the platform, even with a trusted URL', async () => {
    const { listenerFor, opened } = realSetup()
    const result = await listenerFor('openExternal')(
      { senderFrame: { url: 'https://evil.example/' } },
      { url: 'https://carnet.example.org/' }
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.forbiddenSender' } })
    expect(opened).toEqual([])
  })

  it('writeLog never writes the value of a password key, whoever sends it', async () => {
    const { listenerFor } = realSetup()
    const log = listenerFor('writeLog')
    await log(
      { senderFrame: APP_FRAME },
      { level: 'info', message: 'm', context: { password: PASSWORD } }
    )
    await log(
      { senderFrame: APP_FRAME },
      { level: 'error', message: 'm', context: { password: PASSWORD, n: 1 } }
    )
    await log(
      { senderFrame: { url: 'https://evil.example/' } },
      { level: 'info', message: 'm', context: { password: PASSWORD } }
    )
    await log({ senderFrame: APP_FRAME }, { level: 'info', message: 'm', password: PASSWORD })
    const text = logText()
    expect(text).toContain('renderer: m')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(PASSWORD)
    for (const call of vi.mocked(console.error).mock.calls)
      expect(String(call)).not.toContain(PASSWORD)
  })
})
