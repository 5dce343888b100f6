import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { developmentSecretBox } from '../services/secret-box'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DomainError } from '../../shared/domain/errors'
import { INVOKE_CHANNELS, type Envelope } from '../../shared/ipc'
import { createFileLogger, type Logger } from '../services/logger'
import type { Platform } from '../services/platform'
import { recordingHandlers as recording, type Call } from './recording-handlers'
import { createDispatch, HandlerError, type CallContext, type Handlers } from './dispatch'
import { createHandlers } from './handlers'

const PASSWORD = 'canary-P4ssw0rd-7f3a9c'
const ctx: CallContext = { host: 'browser' }

let dir: string
let logger: Logger
let calls: Call[]
const recordingHandlers = (overrides: Partial<Handlers> = {}) => recording(calls, overrides)

function logText(): string {
  return existsSync(logger.file) ? readFileSync(logger.file, 'utf8') : ''
}

function expectError(
  envelope: Envelope<unknown>,
  code: string
): { message: string; issues?: unknown } {
  expect(envelope.ok).toBe(false)
  if (envelope.ok) throw new Error('unreachable')
  expect(envelope.error.code).toBe(code)
  return envelope.error
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-dispatch-'))
  logger = createFileLogger(join(dir, 'logs', 'carnet.log'))
  calls = []
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
})

afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

describe('createDispatch', () => {
  it('runs the handler with the parsed arguments and wraps its result', async () => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const result = await dispatch(
      'writeLog',
      { level: 'warn', message: 'disk almost full', context: { freeMb: 12 } },
      ctx
    )
    expect(result).toEqual({ ok: true, value: null })
    expect(calls).toEqual([
      {
        name: 'writeLog',
        args: { level: 'warn', message: 'disk almost full', context: { freeMb: 12 } }
      }
    ])
  })

  it('treats missing arguments as an empty object', async () => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const result = await dispatch('appInfo', undefined, ctx)
    expect(result.ok).toBe(true)
    expect(calls).toEqual([{ name: 'appInfo', args: {} }])
  })

  it.each([
    'carnet:app.info',
    'nope',
    '',
    'toString',
    '__proto__',
    'constructor',
    'hasOwnProperty'
  ])('answers ipc.unknownChannel for %j and runs nothing', async (name) => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    expectError(await dispatch(name, {}, ctx), 'ipc.unknownChannel')
    expect(calls).toEqual([])
  })

  it('bounds the echoed name of an unknown channel', async () => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const error = expectError(await dispatch('x'.repeat(10_000), {}, ctx), 'ipc.unknownChannel')
    expect(error.message.length).toBeLessThan(200)
  })

  const huge = 'x'.repeat(100_000)
  it.each([
    ['writeLog', 'wrong level', { level: 'debug', message: 'm' }],
    ['writeLog', 'wrong type', { level: 'info', message: 42 }],
    ['writeLog', 'missing message', { level: 'info' }],
    ['writeLog', 'empty message', { level: 'info', message: '' }],
    ['writeLog', 'huge message', { level: 'info', message: huge }],
    ['writeLog', 'huge context value', { level: 'info', message: 'm', context: { note: huge } }],
    ['writeLog', 'nested context', { level: 'info', message: 'm', context: { a: { b: 1 } } }],
    ['writeLog', 'unknown key', { level: 'info', message: 'm', extra: true }],
    ['writeLog', 'null', null],
    ['writeLog', 'an array', ['info', 'm']],
    ['writeLog', 'a string', 'info: m'],
    ['writeLog', 'a number', 7],
    ['openExternal', 'missing url', {}],
    ['openExternal', 'url not a string', { url: { href: 'https://carnet.example.org/' } }],
    ['openExternal', 'huge url', { url: `https://carnet.example.org/${huge}` }],
    ['openExternal', 'unknown key', { url: 'https://carnet.example.org/', shell: true }],
    ['openExternal', 'null', null],
    ['openExternal', 'an array', [{ url: 'https://carnet.example.org/' }]],
    ['appInfo', 'unknown key', { verbose: true }],
    ['appInfo', 'an array', []],
    ['appInfo', 'a string', 'x'],
    ['appInfo', '__proto__ payload', JSON.parse('{"__proto__":{"polluted":1}}')],
    [
      'writeLog',
      '__proto__ payload',
      JSON.parse('{"level":"info","message":"m","__proto__":{"polluted":1}}')
    ],
    [
      'openExternal',
      '__proto__ payload',
      JSON.parse('{"url":"https://carnet.example.org/","__proto__":{"polluted":1}}')
    ],
    [
      'writeLog',
      'constructor.prototype payload',
      { level: 'info', message: 'm', constructor: { prototype: { polluted: 1 } } }
    ]
  ])('%s: %s → ipc.invalidArgs with issues, handler not called', async (name, _label, args) => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const error = expectError(await dispatch(name, args, ctx), 'ipc.invalidArgs')
    expect(Array.isArray(error.issues)).toBe(true)
    expect((error.issues as unknown[]).length).toBeGreaterThan(0)
    for (const issue of error.issues as Array<{ path: unknown; message: unknown }>) {
      expect(typeof issue.path).toBe('string')
      expect(typeof issue.message).toBe('string')
    }
    expect(calls).toEqual([])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(logText()).not.toContain(huge)
  })

  it('names the offending field in the issues', async () => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const error = expectError(
      await dispatch('writeLog', { level: 'debug', message: 'm' }, ctx),
      'ipc.invalidArgs'
    )
    expect(error.issues).toEqual([expect.objectContaining({ path: 'level' })])
  })

  it('does not let a __proto__ key inside a record reach the handler or Object.prototype', async () => {
    const dispatch = createDispatch(recordingHandlers(), logger)
    const args = JSON.parse('{"level":"info","message":"m","context":{"__proto__":{"polluted":1}}}')
    const result = await dispatch('writeLog', args, ctx)
    if (result.ok) {
      const received = calls[0]?.args as { context?: Record<string, unknown> }
      expect(Object.getPrototypeOf(received.context ?? {})).toBe(Object.prototype)
      expect(
        (received.context as Record<string, unknown> | undefined)?.['polluted']
      ).toBeUndefined()
    } else {
      expect(result.error.code).toBe('ipc.invalidArgs')
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('keeps the code and message of a HandlerError', async () => {
    const dispatch = createDispatch(
      recordingHandlers({
        openExternal: () => {
          throw new HandlerError('shell.untrustedUrl', 'This link cannot be opened.')
        }
      }),
      logger
    )
    const result = await dispatch('openExternal', { url: 'https://carnet.example.org/' }, ctx)
    expect(result).toEqual({
      ok: false,
      error: { code: 'shell.untrustedUrl', message: 'This link cannot be opened.' }
    })
  })

  it('keeps the code and message of a DomainError, also from an async handler', async () => {
    const dispatch = createDispatch(
      recordingHandlers({
        writeLog: () => Promise.reject(new DomainError('time.tooLong', 'More than 24 hours.'))
      }),
      logger
    )
    const result = await dispatch('writeLog', { level: 'info', message: 'm' }, ctx)
    expect(result).toEqual({
      ok: false,
      error: { code: 'time.tooLong', message: 'More than 24 hours.' }
    })
  })

  it.each([
    ['an Error', () => new Error(`ECONNREFUSED /home/tech/.ssh/id_ed25519 ${PASSWORD}`)],
    ['a string', () => `raw string ${PASSWORD}`],
    ['undefined', () => undefined]
  ])('answers ipc.internal for %s, without leaking its text', async (_label, make) => {
    const dispatch = createDispatch(
      recordingHandlers({
        appInfo: () => {
          throw make()
        }
      }),
      logger
    )
    const result = await dispatch('appInfo', {}, ctx)
    const error = expectError(result, 'ipc.internal')
    expect(JSON.stringify(result)).not.toContain(PASSWORD)
    expect(JSON.stringify(result)).not.toContain('id_ed25519')
    expect(error.message).toBe('An unexpected error occurred; it has been logged.')
    expect(logText()).toContain('ipc: handler failed')
  })

  it('passes the call context to the handler', async () => {
    let seen: CallContext | undefined
    const dispatch = createDispatch(
      recordingHandlers({
        writeLog: (_args, context) => {
          seen = context
          return null
        }
      }),
      logger
    )
    await dispatch('writeLog', { level: 'info', message: 'm' }, { host: 'electron' })
    expect(seen).toEqual({ host: 'electron' })
  })

  it('has a handler for every contract channel', () => {
    expect(Object.keys(recordingHandlers()).sort()).toEqual(Object.keys(INVOKE_CHANNELS).sort())
  })
})

describe('logs never carry a value passed under a password key', () => {
  it.each([
    [
      'writeLog context',
      'writeLog',
      { level: 'info', message: 'login', context: { password: PASSWORD } }
    ],
    [
      'writeLog context, other case',
      'writeLog',
      { level: 'error', message: 'x', context: { Password: PASSWORD } }
    ],
    [
      'writeLog context, prefixed key',
      'writeLog',
      { level: 'warn', message: 'x', context: { rdpPassword: PASSWORD } }
    ],
    ['an unknown key', 'openExternal', { url: 'https://carnet.example.org/', password: PASSWORD }],
    [
      'an invalid nested value',
      'writeLog',
      { level: 'info', message: 'x', context: { password: { v: PASSWORD } } }
    ],
    ['appInfo arguments', 'appInfo', { password: PASSWORD }]
  ])('%s', async (_label, name, args) => {
    const dispatch = createDispatch(createHandlers(fakePlatform().platform, logger), logger)
    await dispatch(name, args, ctx)
    const text = logText()
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toContain(PASSWORD)
    for (const call of vi.mocked(console.error).mock.calls)
      expect(String(call)).not.toContain(PASSWORD)
  })
})

function fakePlatform() {
  const opened: string[] = []
  const platform: Platform = {
    host: 'electron',
    appName: 'Carnet',
    appVersion: '9.8.7',
    platform: 'linux',
    dataDir: '/home/tech/.config/Carnet',
    openExternal: (url) => {
      opened.push(url)
      return Promise.resolve(true)
    },
    secrets: developmentSecretBox,
    emit: () => undefined
  }
  return { platform, opened }
}

describe('the real handlers (createHandlers) behind the dispatch', () => {
  it('appInfo describes the host and the log file', async () => {
    const { platform } = fakePlatform()
    const dispatch = createDispatch(createHandlers(platform, logger), logger)
    expect(await dispatch('appInfo', {}, ctx)).toEqual({
      ok: true,
      value: {
        name: 'Carnet',
        version: '9.8.7',
        host: 'electron',
        platform: 'linux',
        dataDir: '/home/tech/.config/Carnet',
        logFile: logger.file
      }
    })
  })

  it.each([
    'https://carnet.example.org.attacker.com/',
    'https://carnet.example.org@attacker.com/',
    'http://carnet.example.org/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'https://carnet.example.org/\r\nhttps://attacker.com/'
  ])('openExternal refuses %j without calling the platform', async (url) => {
    const { platform, opened } = fakePlatform()
    const dispatch = createDispatch(createHandlers(platform, logger), logger)
    const error = expectError(await dispatch('openExternal', { url }, ctx), 'shell.untrustedUrl')
    expect(error.message).toMatch(/cannot be opened/)
    expect(opened).toEqual([])
    expect(logText()).toContain('openExternal refused')
  })

  it('openExternal hands a trusted https link to the platform', async () => {
    const { platform, opened } = fakePlatform()
    const dispatch = createDispatch(createHandlers(platform, logger), logger)
    const url = 'https://docs.carnet.example.org/aide/rdp'
    expect(await dispatch('openExternal', { url }, ctx)).toEqual({
      ok: true,
      value: { opened: true }
    })
    expect(opened).toEqual([url])
  })

  it('writeLog writes the renderer line at the requested level', async () => {
    const { platform } = fakePlatform()
    const dispatch = createDispatch(createHandlers(platform, logger), logger)
    await dispatch('writeLog', { level: 'warn', message: 'sync slow', context: { ms: 900 } }, ctx)
    const line = JSON.parse(logText().trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
    expect(line).toMatchObject({
      level: 'warn',
      message: 'renderer: sync slow',
      context: { ms: 900 }
    })
  })
})
