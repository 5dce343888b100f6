// Test helper (not shipped): a throwaway OpenSSH server on loopback, per testing.md.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'

export const SSHD = '/usr/sbin/sshd'
const isRoot = process.getuid?.() === 0

/**
 * Whether the suite can run. Missing sshd skips with one loud line, except under CI where a
 * skip would turn the build green without testing anything (testing.md).
 */
export function sshdAvailable(): boolean {
  const ok = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen')
  if (ok) return true
  const line = `SSH TESTS SKIPPED: ${SSHD} or ssh-keygen missing — run: bash scripts/install-system-deps.sh`
  if (process.env.CI) throw new Error(line)
  console.warn(`\n!!!!! ${line} !!!!!\n`)
  return false
}

export function sshKeygenFingerprint(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' })
  return out.split(' ')[1] ?? ''
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export interface TestSshd {
  dir: string
  port: number
  /** The user that logs in with the client key (root when the tests run as root). */
  keyUser: string
  clientKey: string
  /** The same kind of key, encrypted with `passphrase`, also authorized. */
  encryptedKey: string
  passphrase: string
  /** Null when not running as root: a password user cannot be created then. */
  passwordUser: { name: string; password: string } | null
  hostPub: string
  log(): string
  /** Waits for a log line after character offset `from` of the log. */
  waitForLog(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>
  regenerateHostKey(): Promise<void>
  stop(): Promise<void>
}

export async function startSshd(
  opts: { passwordUser?: boolean; /** Extra sshd_config lines. */ config?: string[] } = {}
): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-sshd-'))
  const port = await freePort()
  let output = ''
  let child: ChildProcess | null = null
  let passwordUser: TestSshd['passwordUser'] = null

  const keygenHost = (): void => {
    rmSync(join(dir, 'host'), { force: true })
    rmSync(join(dir, 'host.pub'), { force: true })
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')])
  }
  const clientKey = utils.generateKeyPairSync('ed25519', { comment: 'carnet-test' })
  const passphrase = randomBytes(9).toString('base64url')
  const encrypted = utils.generateKeyPairSync('ed25519', {
    comment: 'carnet-test-enc',
    passphrase,
    cipher: 'aes256-cbc'
  })
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey.public}\n${encrypted.public}\n`, {
    mode: 0o644
  })

  if (opts.passwordUser && isRoot) {
    const name = `carnet-t${randomBytes(4).toString('hex')}`
    const password = `pw-${randomBytes(12).toString('base64url')}`
    execFileSync('useradd', ['-M', '-d', join(dir, 'home'), '-s', '/bin/sh', name])
    passwordUser = { name, password }
    // chpasswd reads the pair on stdin, never from argv.
    execFileSync('chpasswd', [], { input: `${name}:${password}\n` })
  }

  const config = join(dir, 'sshd_config')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      `PasswordAuthentication ${passwordUser ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'PrintMotd no',
      'PrintLastLog no',
      // DEBUG1 logs every "userauth-request": the proof that no credential was offered.
      'LogLevel DEBUG1',
      ...(opts.config ?? []),
      ''
    ].join('\n')
  )

  const start = async (): Promise<void> => {
    if (isRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
    // Own process group, so stopping also ends the per-connection children.
    child = spawn(SSHD, ['-D', '-e', '-f', config], { detached: true, stdio: 'pipe' })
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`sshd exited (${code}):\n${output}`)))
    )
    await Promise.race([
      waitForLog(new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}`)),
      exited
    ])
  }
  const stopChild = async (): Promise<void> => {
    const c = child
    child = null
    if (!c?.pid || c.exitCode !== null) return
    const gone = new Promise((resolve) => c.once('exit', resolve))
    try {
      process.kill(-c.pid, 'SIGTERM')
    } catch {
      // already gone
    }
    await gone
  }
  const waitForLog = (pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => pattern.test(output.slice(from))
      if (check()) return resolve()
      const timer = setTimeout(() => {
        child?.stderr?.off('data', listener)
        reject(new Error(`sshd log never matched ${pattern}:\n${output}`))
      }, timeoutMs)
      const listener = (): void => {
        if (!check()) return
        clearTimeout(timer)
        child?.stderr?.off('data', listener)
        resolve()
      }
      child?.stderr?.on('data', listener)
    })

  const stop = async (): Promise<void> => {
    await stopChild()
    if (passwordUser) {
      try {
        execFileSync('userdel', [passwordUser.name])
      } catch {
        // best effort: the user may already be gone
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    keygenHost()
    await start()
  } catch (error) {
    await stop()
    throw error
  }
  return {
    dir,
    port,
    keyUser: isRoot ? 'root' : userInfo().username,
    clientKey: clientKey.private,
    encryptedKey: encrypted.private,
    passphrase,
    passwordUser,
    hostPub: join(dir, 'host.pub'),
    log: () => output,
    waitForLog,
    regenerateHostKey: async () => {
      await stopChild()
      output = ''
      keygenHost()
      await start()
    },
    stop
  }
}
