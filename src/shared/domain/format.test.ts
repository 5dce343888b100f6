import { describe, it, expect } from 'vitest'
import { formatClock, formatHoursMinutes } from './format'

describe('formatClock', () => {
  it.each([
    [0, '00:00'],
    [59.999, '00:59'],
    [372, '06:12'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3723, '1:02:03'],
    [36000 + 59, '10:00:59'],
    [-5, '00:00'],
    [NaN, '00:00']
  ])('%d s → %s', (seconds, text) => {
    expect(formatClock(seconds)).toBe(text)
  })
})

describe('formatHoursMinutes', () => {
  it.each([
    [0, '0 h 00'],
    [900, '0 h 15'],
    [899, '0 h 14'],
    [7500, '2 h 05'],
    [90000, '25 h 00'],
    [-60, '0 h 00']
  ])('%d s → %s', (seconds, text) => {
    expect(formatHoursMinutes(seconds)).toBe(text)
  })
})
