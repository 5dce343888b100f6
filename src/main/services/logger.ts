import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export type LogLevel = 'info' | 'warn' | 'error'
export type LogContext = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  info(message: string, context?: LogContext): void
  warn(message: string, context?: LogContext): void
  error(message: string, context?: LogContext): void
  readonly file: string
}

// Keys whose values never reach a log line, whoever passes them (security.md item 8).
const SECRET_KEY = /pass(word|phrase)?|secret|token|credential|authorization|cookie/i

export function redact(context: LogContext | undefined): LogContext | undefined {
  if (!context) return undefined
  const out: LogContext = {}
  for (const [key, value] of Object.entries(context))
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : value
  return out
}

/**
 * JSON-lines log in the data folder. Synchronous appends: the volume is low and a line written
 * just before a crash is the one worth having.
 */
export function createFileLogger(file: string, echo = false): Logger {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const write = (level: LogLevel, message: string, context?: LogContext): void => {
    const line = JSON.stringify({
      at: new Date().toISOString(),
      level,
      message,
      context: redact(context)
    })
    try {
      appendFileSync(file, line + '\n', { mode: 0o600 })
    } catch {
      // A full disk must not take the app down with it; the console still gets the line.
    }
    if (echo || level === 'error') console[level === 'info' ? 'log' : level](line)
  }
  return {
    file,
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c)
  }
}
