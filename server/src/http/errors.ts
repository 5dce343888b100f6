import type { ErrorBody } from '../../../src/shared/sync/protocol'
import type { ZodError } from 'zod'

/** An expected failure with its HTTP status and a stable machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ErrorBody['error']['issues'],
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'HttpError'
  }

  body(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues ? { issues: this.issues } : {})
      }
    }
  }
}

/** Zod issues as `{ path, message }`, the shape every 400 carries. */
export function zodIssues(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message
  }))
}

export function validationError(error: ZodError, what = 'request body'): HttpError {
  return new HttpError(
    400,
    'validation.failed',
    `The ${what} is invalid: ${zodIssues(error)
      .slice(0, 3)
      .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
      .join('; ')}`,
    zodIssues(error)
  )
}

/** Parses a body with a strict schema or throws the 400. */
export function parseBody<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError }
  },
  body: unknown
): T {
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw validationError(parsed.error)
  return parsed.data
}

export const unauthorized = (
  message = 'Sign in again: the access token is missing or no longer valid.'
): HttpError => new HttpError(401, 'auth.unauthorized', message)
