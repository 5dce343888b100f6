import { describe, expect, it } from 'vitest'
import type { AuthStatus } from '../../../shared/ipc/contract'
import { HostError } from '../lib/api'
import { askAuthStatus } from './auth-status'

const signedIn: AuthStatus = {
  signedIn: true,
  serverUrl: 'http://127.0.0.1:8787',
  technician: null,
  keystore: 'development-file'
}

/** An ask that fails with each given error in turn, then answers signedIn. */
function flaky(errors: unknown[]) {
  const calls = { n: 0 }
  const ask = async () => {
    const error = errors[calls.n++]
    if (error !== undefined) throw error
    return signedIn
  }
  return { ask, calls }
}

describe('askAuthStatus', () => {
  const waits: number[] = []
  const wait = async (ms: number) => void waits.push(ms)

  it('asks again while the link to the host is down, with growing pauses', async () => {
    waits.length = 0
    const down = new HostError('host.disconnected', 'not reachable')
    const { ask, calls } = flaky([down, down, down])
    expect(await askAuthStatus(ask, wait)).toEqual({ status: signedIn, problem: null })
    expect(calls.n).toBe(4)
    expect(waits).toEqual([250, 500, 1000])
  })

  it('gives up after five tries and says why', async () => {
    waits.length = 0
    const down = new HostError('host.disconnected', 'not reachable')
    const { ask, calls } = flaky(Array.from({ length: 9 }, () => down))
    expect(await askAuthStatus(ask, wait)).toEqual({ status: null, problem: 'host.disconnected' })
    expect(calls.n).toBe(5)
    expect(waits).toEqual([250, 500, 1000, 2000])
  })

  it('does not ask again on another failure', async () => {
    waits.length = 0
    const { ask, calls } = flaky([new HostError('vault.locked', 'locked')])
    expect(await askAuthStatus(ask, wait)).toEqual({ status: null, problem: 'vault.locked' })
    const odd = flaky([new Error('boom')])
    expect(await askAuthStatus(odd.ask, wait)).toEqual({ status: null, problem: 'app.unexpected' })
    expect(calls.n + odd.calls.n).toBe(2)
    expect(waits).toEqual([])
  })
})
