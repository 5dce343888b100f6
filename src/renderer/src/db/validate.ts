import type { z } from 'zod'
import { DomainError, type DomainErrorCode } from '../../../shared/domain/errors'

/** Parses `value` or throws a DomainError whose message names the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const first = issues[0]
  // Schemas built on the domain's span rules carry the domain code (time.tooLong...) in params.
  const domainCode = (result.error.issues[0] as { params?: { code?: unknown } } | undefined)?.params
    ?.code
  if (typeof domainCode === 'string' && domainCode.startsWith('time.')) {
    throw new DomainError(
      domainCode as DomainErrorCode,
      first?.message ?? 'Invalid time span.',
      issues
    )
  }
  throw new DomainError(
    'validation.failed',
    first ? `${first.path || 'value'}: ${first.message}` : 'Invalid value.',
    issues
  )
}

export function notFound(what: string, id: string): DomainError {
  return new DomainError('record.notFound', `${what} ${id} does not exist on this device.`)
}
