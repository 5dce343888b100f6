import type {
  AnyAuthMethod,
  AuthenticationType,
  AuthHandlerMiddleware,
  KeyboardInteractiveCallback,
  ParsedKey,
  Prompt
} from 'ssh2'
import { utils } from 'ssh2'
import { SshError, type SshLogger } from './ssh-errors'

/** Credentials for one connection. They live in memory only, never in argv, files or logs. */
export interface SshCredentials {
  password?: string
  /** OpenSSH or PEM private key text. */
  privateKey?: string | Buffer
  passphrase?: string
  /** Path of the ssh-agent socket (`SSH_AUTH_SOCK`), passed in by the caller. */
  agentSocket?: string
}

export interface KeyboardInteractivePrompt {
  prompt: string
  echo: boolean
}

/** Asks the user to answer server prompts (one-time codes and the like). */
export type KeyboardInteractiveAsker = (
  prompts: KeyboardInteractivePrompt[],
  info: { name: string; instructions: string }
) => Promise<string[]>

/** Decrypts the private key before connecting, so a wrong passphrase is reported as such. */
export function parsePrivateKey(credentials: SshCredentials): ParsedKey | undefined {
  if (credentials.privateKey === undefined) return undefined
  const parsed = utils.parseKey(credentials.privateKey, credentials.passphrase)
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error | undefined) : parsed
  if (!key || key instanceof Error || !key.isPrivateKey())
    throw new SshError(
      'ssh.badKey',
      credentials.passphrase === undefined
        ? 'The private key cannot be read (is it protected by a passphrase?).'
        : 'The private key cannot be read with this passphrase.'
    )
  return key
}

interface AuthContext {
  username: string
  credentials: SshCredentials
  key: ParsedKey | undefined
  askKeyboardInteractive: KeyboardInteractiveAsker | undefined
  /** False until the host key was verified; no method is ever offered before that. */
  hostKeyVerified: () => boolean
  logger: SshLogger
  logContext: { host: string; port: number }
  /** Keyboard-interactive answers may wait on the user: the connect timeout pauses meanwhile. */
  pauseTimeout: () => void
  resumeTimeout: () => void
}

/**
 * Explicit auth order: key, agent, password, then keyboard-interactive (servers with PAM often
 * ask for the password that way). Each method is tried once, only if the server still accepts it.
 */
export function createAuthHandler(ctx: AuthContext): AuthHandlerMiddleware {
  const { username, credentials, key } = ctx
  const queue: AnyAuthMethod[] = []
  if (key) queue.push({ type: 'publickey', username, key })
  if (credentials.agentSocket)
    queue.push({ type: 'agent', username, agent: credentials.agentSocket })
  if (credentials.password !== undefined)
    queue.push({ type: 'password', username, password: credentials.password })
  if (credentials.password !== undefined || ctx.askKeyboardInteractive)
    queue.push({ type: 'keyboard-interactive', username, prompt: keyboardInteractive(ctx) })

  return (methodsLeft, _partialSuccess, next) => {
    // ssh2 takes `false` for "no more methods"; its typings omit that value.
    const giveUp = next as unknown as (value: false) => void
    if (!ctx.hostKeyVerified()) return giveUp(false)
    for (let method = queue.shift(); method; method = queue.shift()) {
      const wire: AuthenticationType = method.type === 'agent' ? 'publickey' : method.type
      if (methodsLeft && !methodsLeft.includes(wire)) continue
      ctx.logger.info('ssh auth attempt', { ...ctx.logContext, method: method.type })
      return next(method)
    }
    giveUp(false)
  }
}

function keyboardInteractive(ctx: AuthContext) {
  return (
    name: string,
    instructions: string,
    _lang: string,
    prompts: Prompt[],
    finish: KeyboardInteractiveCallback
  ): void => {
    // Defence in depth: ssh2 only authenticates after the key exchange, but never answer a
    // prompt on a connection whose host key was not verified.
    if (!ctx.hostKeyVerified()) return finish([])
    const password = ctx.credentials.password
    const only = prompts.length === 1 ? prompts[0] : undefined
    if (prompts.length === 0) return finish([])
    if (password !== undefined && only && !only.echo && /pass(word|code)?/i.test(only.prompt))
      return finish([password])
    const ask = ctx.askKeyboardInteractive
    if (!ask) return finish([])
    ctx.pauseTimeout()
    ask(
      prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true })),
      { name, instructions }
    )
      .then((answers) => finish(answers))
      .catch(() => finish([]))
      .finally(() => ctx.resumeTimeout())
  }
}
