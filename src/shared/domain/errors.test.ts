import { describe, it, expect } from 'vitest'
import { DomainError, isDomainError } from './errors'

describe('DomainError', () => {
  it('carries a code, a message and optional details', () => {
    const e = new DomainError('status.locked', 'Signed.', { id: 1 })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('DomainError')
    expect(e.code).toBe('status.locked')
    expect(e.message).toBe('Signed.')
    expect(e.details).toEqual({ id: 1 })
    expect(new DomainError('validation.failed', 'x').details).toBeUndefined()
  })

  it('is recognised, also after crossing a structured-clone boundary', () => {
    const e = new DomainError('time.tooLong', 'Too long.')
    expect(isDomainError(e)).toBe(true)
    expect(isDomainError({ name: 'DomainError', code: e.code, message: e.message })).toBe(true)
    expect(isDomainError(new Error('x'))).toBe(false)
    expect(isDomainError(null)).toBe(false)
    expect(isDomainError('DomainError')).toBe(false)
  })
})
