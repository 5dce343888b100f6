// In-process ssh2 server: lets the tests watch the server's auth handler directly, which sshd
// only shows through its log, and script keyboard-interactive, which sshd offers only with PAM.
import { mkdtempSync, rmSync } from 'node:fs'
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer
} from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server, utils } from 'ssh2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostTrustStore } from './host-trust'
import { fingerprintOf } from './known-hosts'
import type { SshError } from './ssh-errors'
import { rekeyRefusal } from './ssh-connect'
import { SshSession, type SshSessionOptions } from './ssh-session'

const hostKey = utils.generateKeyPairSync('ed25519')
const otherKey = utils.generateKeyPairSync('ed25519')
const blobOf = (publicSsh: string): Buffer => Buffer.from(publicSsh.split(' ')[1] ?? '', 'base64')
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

let dir: string
let trust: HostTrustStore
let server: Server | TcpServer
let port: number
let events: string[]
let ptyTerm: string | undefined

function listen(s: Server | TcpServer): Promise<number> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))
  )
}

/** A server that only accepts keyboard-interactive with the code 123456, then opens a shell. */
async function startServer(): Promise<void> {
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => {
      events.push(`server auth ${ctx.method}`)
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt: 'Code: ', echo: true }], (answers) =>
        answers[0] === '123456' ? ctx.accept() : ctx.reject()
      )
    })
    client.on('ready', () =>
      client.on('session', (accept) => {
        const session = accept()
        session.once('pty', (ok, _reject, info) => {
          ptyTerm = info.term
          ok()
        })
        session.once('shell', (ok) => ok().write('hello from the shell\n'))
      })
    )
    client.on('close', () => events.push('server saw close'))
    client.on('error', () => undefined)
  })
  port = await listen(server)
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-handshake-'))
  trust = new HostTrustStore(dir)
  events = []
  ptyTerm = undefined
})
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

const options = (over: Partial<SshSessionOptions> = {}): SshSessionOptions => ({
  host: '127.0.0.1',
  port,
  username: 'tech',
  credentials: { password: 'pw-canary' },
  trust,
  logger: quiet,
  onUnknownHostKey: async () => {
    events.push('client asked about the key')
    return true
  },
  onKeyboardInteractive: async (prompts) => {
    events.push(`client prompted ${prompts.map((p) => p.prompt).join()}`)
    return ['123456']
  },
  timeoutMs: 5000,
  ...over
})

describe('SSH handshake order (ssh2 server)', () => {
  it('keyboard-interactive comes only after the host key was accepted; the PTY is xterm-256color', async () => {
    await startServer()
    const session = await SshSession.open(options())
    const output = await new Promise<string>((resolve) => session.onData(resolve))
    expect(output).toContain('hello from the shell')
    await session.close()
    const asked = events.indexOf('client asked about the key')
    expect(asked).toBe(0)
    expect(events.indexOf('client prompted Code: ')).toBeGreaterThan(asked)
    expect(ptyTerm).toBe('xterm-256color')
  })

  it('a changed key never reaches the server auth handler', async () => {
    await startServer()
    trust.trust('127.0.0.1', port, blobOf(otherKey.public))
    const closed = new Promise<void>((resolve) =>
      (server as Server).once('connection', (c) => c.once('close', resolve))
    )
    const error = await SshSession.open(options()).catch((e: SshError) => e)
    await closed
    expect((error as SshError).code).toBe('ssh.hostKeyChanged')
    expect(events).toContain('server saw close')
    expect(events.filter((e) => e.startsWith('server auth'))).toEqual([])
  })

  it('a server that never answers is ssh.timeout; the time a user spends deciding is not', async () => {
    // Reads and discards, so it notices when the client hangs up.
    server = createTcpServer((socket) => socket.on('error', () => undefined).resume())
    port = await listen(server)
    const error = await SshSession.open(options({ timeoutMs: 200 })).catch((e: SshError) => e)
    expect((error as SshError).code).toBe('ssh.timeout')
    await new Promise((resolve) => server.close(resolve))

    await startServer()
    // The simulated user takes longer than the whole timeout to read the fingerprint.
    const slowUser = (): Promise<boolean> =>
      new Promise((resolve) => setTimeout(() => resolve(true), 600))
    const session = await SshSession.open(options({ timeoutMs: 300, onUnknownHostKey: slowUser }))
    await session.close()
  })

  it('a re-exchange must show the key accepted at login: another one is ssh.hostKeyChanged', () => {
    // ssh2 asks the verifier again on every re-exchange; the real OpenSSH rekey test
    // (ssh-session.test.ts) shows the accepted key passes and the terminal stays open. A server
    // cannot swap its key mid-connection through ssh2's public API, so the refusal is checked on
    // the verdict itself (an in-process swap through ssh2 internals flaked once under CI load).
    const where = { host: '127.0.0.1', port: 22, expected: fingerprintOf(blobOf(hostKey.public)) }
    expect(rekeyRefusal(blobOf(hostKey.public), blobOf(hostKey.public), where)).toBeNull()
    expect(rekeyRefusal(blobOf(hostKey.public), blobOf(otherKey.public), where)).toMatchObject({
      code: 'ssh.hostKeyChanged',
      details: {
        expected: fingerprintOf(blobOf(hostKey.public)),
        got: fingerprintOf(blobOf(otherKey.public))
      }
    })
  })

  it('an aborted connection waiting on the user ends as ssh.closed', async () => {
    await startServer()
    const abort = new AbortController()
    const opening = SshSession.open(
      options({
        signal: abort.signal,
        onUnknownHostKey: () => {
          abort.abort()
          return new Promise<boolean>(() => undefined)
        }
      })
    )
    const error = await opening.catch((e: SshError) => e)
    expect((error as SshError).code).toBe('ssh.closed')
    expect(events.filter((e) => e.startsWith('server auth'))).toEqual([])
  })
})
