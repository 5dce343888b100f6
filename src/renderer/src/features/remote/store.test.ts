import { beforeEach, describe, expect, it } from 'vitest'
import { settleWhenRecorded, useRemote } from './store'

const session = {
  sessionId: 's1',
  protocol: 'rdp' as const,
  assetId: 'a1',
  assetName: 'SRV-MAIRIE-01',
  interventionId: 'i1',
  startedAt: '2026-11-27T08:10:00.000Z'
}

beforeEach(() => {
  useRemote.setState({ active: {}, ended: [], hostKeyPrompts: [] })
  useRemote.getState().started(session)
  useRemote.getState().finished({
    sessionId: 's1',
    protocol: 'rdp',
    startedAt: session.startedAt,
    endedAt: '2026-11-27T08:40:00.000Z',
    outcome: 'ended'
  })
})

describe('an ended session waiting for the technician', () => {
  it('stays in the list when storing the decision fails, so nothing of it is lost', async () => {
    const refused = Object.assign(new Error('signed'), { code: 'status.locked' })
    await expect(settleWhenRecorded('s1', () => Promise.reject(refused))).rejects.toBe(refused)
    expect(useRemote.getState().ended.map((e) => e.session.sessionId)).toEqual(['s1'])
  })

  it('leaves the list once the decision is stored', async () => {
    await expect(settleWhenRecorded('s1', () => Promise.resolve())).resolves.toBe(true)
    expect(useRemote.getState().ended).toEqual([])
  })
})
