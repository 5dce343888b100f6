import type { z } from 'zod'
import {
  contract,
  fail,
  INVOKE_CHANNELS,
  ok,
  type Envelope,
  type InvokeName,
  type ParsedArgsOf,
  type ResultOf
} from '../../shared/ipc'
import { isDomainError } from '../../shared/domain/errors'
import type { Logger } from '../services/logger'

/** What a handler may know about its caller, whichever host delivered the call. */
export interface CallContext {
  host: 'electron' | 'browser'
}

/** The single typed handler map: one entry per contract channel, checked by the compiler. */
export type Handlers = {
  [K in InvokeName]: (args: ParsedArgsOf<K>, ctx: CallContext) => Promise<ResultOf<K>> | ResultOf<K>
}

export type Dispatch = (
  name: string,
  rawArgs: unknown,
  ctx: CallContext
) => Promise<Envelope<unknown>>

function formatIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(arguments)', message: i.message }))
}

/**
 * Builds the one function both hosts route calls through: unknown channel → error, arguments
 * parsed with the channel's schema before the handler runs (so no side effect happens on bad
 * input), and every outcome wrapped in an envelope. Sender checks happen before this, in the
 * host-specific adapter, since only the host knows who is calling.
 */
export function createDispatch(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, rawArgs, ctx) => {
    if (!Object.hasOwn(INVOKE_CHANNELS, name)) {
      logger.warn('ipc: unknown channel', { channel: String(name).slice(0, 100) })
      return fail('ipc.unknownChannel', `Unknown channel "${String(name).slice(0, 100)}".`)
    }
    const key = name as InvokeName
    const parsed = contract[key].args.safeParse(rawArgs === undefined ? {} : rawArgs)
    if (!parsed.success) {
      const issues = formatIssues(parsed.error)
      logger.warn('ipc: invalid arguments', {
        channel: key,
        issues: JSON.stringify(issues).slice(0, 2000)
      })
      return fail('ipc.invalidArgs', `Invalid arguments for ${key}.`, issues)
    }
    try {
      const handler = handlers[key] as (args: unknown, ctx: CallContext) => unknown
      return ok(await handler(parsed.data, ctx))
    } catch (error) {
      if (isDomainError(error)) return fail(error.code, error.message)
      if (error instanceof HandlerError) return fail(error.code, error.message)
      logger.error('ipc: handler failed', { channel: key, error: String(error).slice(0, 1000) })
      return fail('ipc.internal', 'An unexpected error occurred; it has been logged.')
    }
  }
}

/** An expected failure a handler reports with a code the renderer can translate. */
export class HandlerError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'HandlerError'
  }
}
