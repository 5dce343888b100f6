/* eslint-disable @typescript-eslint/no-explicit-any -- tests probe JSON response bodies loosely */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { unassign } from '../src/admin/commands'
import { describeBackends } from './helpers/backends'
import { applyOps, m, makeWorld, type Caller, type World } from './helpers/harness'

type Place = { collectiviteId: string; conventionId: string; assetId: string }
const at = (p: Place) => ({ collectiviteId: p.collectiviteId, conventionId: p.conventionId })

describeBackends('remote-session log', (backend) => {
  let w: World
  let tech: Caller
  let other: Caller
  let lead: Caller
  let mine: Place
  let theirs: Place

  const place = async (name: string): Promise<Place> => {
    const p = await w.municipality(name)
    const assetId = randomUUID()
    await w.db.query(
      `INSERT INTO assets (id, collectivite_id, name, category, version)
       VALUES ($1, $2, 'Serveur mairie', 'server', 1)`,
      [assetId, p.collectiviteId]
    )
    return { ...p, assetId }
  }

  beforeAll(async () => {
    w = await makeWorld(await backend.newDb())
    tech = await w.user('technician', 'Tech')
    other = await w.user('technician', 'Other')
    lead = await w.user('lead', 'Lead')
    mine = await place('Commune A')
    theirs = await place('Commune B')
    await w.assign(tech, mine.collectiviteId)
    await w.assign(other, theirs.collectiviteId)
  }, 60_000)
  afterAll(async () => {
    await w?.close()
  })

  const sessions = async (caller: Caller) =>
    applyOps((await w.pullAll(caller)).ops).get('remoteSessions') ?? new Map<string, any>()
  const lastCodes = async (caller: Caller, n: number) =>
    (
      await w.db.query<{ code: string }>(
        `SELECT code FROM rejections WHERE client_id = $1 AND mutation_id > $2
          ORDER BY mutation_id`,
        [caller.clientId, caller.nextMutationId - 1 - n]
      )
    ).rows.map((r) => r.code)
  const count = async (id: string) =>
    Number(
      (
        await w.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM remote_sessions WHERE id = $1',
          [id]
        )
      ).rows[0]?.n
    )

  it('logs a session with the caller as technician, and a replay changes nothing', async () => {
    const create = m.createIntervention(at(mine))
    const log = m.remoteSession(mine.assetId, {
      interventionId: create.args.id,
      protocol: 'ssh',
      detail: 'Redémarrage du service'
    })
    expect((await w.push(tech, [create, log])).status).toBe(200)
    const row = (await sessions(tech)).get(log.args.id)
    expect(row).toEqual({
      id: log.args.id,
      assetId: mine.assetId,
      interventionId: create.args.id,
      technicianId: tech.technicianId,
      protocol: 'ssh',
      startedAt: '2025-03-03T09:00:00.000Z',
      endedAt: '2025-03-03T09:20:00.000Z',
      outcome: 'ended',
      detail: 'Redémarrage du service',
      version: expect.any(Number)
    })
    // The same id again, from a reinstalled client (new client id), with other values.
    const again = { ...tech, clientId: randomUUID(), nextMutationId: 1 }
    const res = await w.push(again, [{ ...log, args: { ...log.args, outcome: 'failed' } }])
    expect(res.json).toEqual({ lastMutationId: 1 })
    expect(await count(log.args.id)).toBe(1)
    expect((await sessions(tech)).get(log.args.id)).toMatchObject({ outcome: 'ended' })
    // The lead may replay it too (no-op); another technician may not.
    await w.push(lead, [log])
    expect(await lastCodes(lead, 1)).toEqual([])
    await w.push(other, [log])
    expect(await lastCodes(other, 1)).toEqual(['scope.forbidden'])
  })

  it('logs a session without intervention and omits an absent detail', async () => {
    const log = m.remoteSession(mine.assetId, { outcome: 'cancelled' })
    await w.push(tech, [log])
    const row = (await sessions(tech)).get(log.args.id)
    expect(row).toMatchObject({ interventionId: null, outcome: 'cancelled' })
    expect(row).not.toHaveProperty('detail')
  })

  it('rejects sessions out of scope, on missing assets or on an intervention elsewhere', async () => {
    const elsewhere = m.createIntervention(at(theirs))
    await w.push(lead, [elsewhere])
    const logs = [
      m.remoteSession(theirs.assetId),
      m.remoteSession(randomUUID()),
      m.remoteSession(mine.assetId, { interventionId: elsewhere.args.id }),
      m.remoteSession(mine.assetId, { interventionId: randomUUID() }),
      m.remoteSession(mine.assetId, {
        startedAt: '2025-03-03T10:00:00Z',
        endedAt: '2025-03-03T09:00:00Z'
      }),
      m.remoteSession(mine.assetId, { protocol: 'telnet' })
    ]
    expect((await w.push(tech, logs)).status).toBe(200)
    expect(await lastCodes(tech, logs.length)).toEqual([
      'scope.forbidden',
      'scope.forbidden',
      'reference.invalid',
      'reference.invalid',
      'time.endBeforeStart',
      'validation.failed'
    ])
    for (const log of logs) expect(await count(log.args.id)).toBe(0)
    // A lead writes anywhere, and hears plainly of a missing asset.
    await w.push(lead, [m.remoteSession(theirs.assetId), m.remoteSession(randomUUID())])
    expect(await lastCodes(lead, 2)).toEqual(['record.notFound'])
  })

  it('shows sessions to the municipality’s technicians and to leads only', async () => {
    const log = m.remoteSession(theirs.assetId)
    await w.push(other, [log])
    expect((await sessions(other)).has(log.args.id)).toBe(true)
    expect((await sessions(lead)).has(log.args.id)).toBe(true)
    const seen = await sessions(tech)
    expect(seen.has(log.args.id)).toBe(false)
    for (const row of seen.values()) expect(row.assetId).toBe(mine.assetId)
  })

  it('accepts a session started while assigned after the unassignment, not one started later', async () => {
    const former = await w.user('technician', 'Former')
    const p = await place('Commune C')
    await w.assign(former, p.collectiviteId)
    await w.db.query(
      "UPDATE assignments SET assigned_at = now() - interval '10 days' WHERE technician_id = $1",
      [former.technicianId]
    )
    await unassign(w.db, former.technicianId, p.collectiviteId)
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString()
    const during = m.remoteSession(p.assetId, { startedAt: day(3), endedAt: day(3) })
    const before = m.remoteSession(p.assetId, { startedAt: day(20), endedAt: day(20) })
    const after = m.remoteSession(p.assetId, { startedAt: day(-0.01), endedAt: day(-0.02) })
    await w.push(former, [during, before, after])
    expect(await lastCodes(former, 3)).toEqual(['scope.forbidden', 'scope.forbidden'])
    expect(await count(during.args.id)).toBe(1)
  })
})
