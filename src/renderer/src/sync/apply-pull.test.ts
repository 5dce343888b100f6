// IndexedDB here is fake-indexeddb (spec-complete, in memory); Chromium's is covered by e2e.
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PullResponse, PushRequest } from '../../../shared/sync/protocol'
import type { RepoContext } from '../db/context'
import { CarnetDb } from '../db/database'
import { loadDemoDataIfEmpty } from '../db/demo'
import { countPending } from '../db/outbox'
import { createIntervention } from '../db/repos/interventions'
import { addManualEntry } from '../db/repos/time-entries'
import { applyPullPage } from './apply-pull'
import { readSyncMeta } from './client-ids'
import { syncOnce, type Transport } from './sync-once'

let db: CarnetDb
let ctx: RepoContext
let n = 0

beforeEach(async () => {
  db = new CarnetDb(`carnet-sync-${++n}`)
  ctx = { db, technicianId: 't1', now: () => Date.parse('2026-11-27T09:00:00Z') }
  await loadDemoDataIfEmpty(db, { today: '2026-11-27' })
})
afterEach(async () => {
  db.close()
  await db.delete()
})

function page(partial: Partial<PullResponse>): PullResponse {
  return { cookie: 'c1', reset: false, more: false, lastMutationIds: {}, ops: [], ...partial }
}

/** The server's row refusing mutation `mutationId` of this client (as a pull brings it). */
function rejectionOf(
  clientId: string,
  mutationId: number,
  name: string,
  code: string,
  reason: string,
  version: number
) {
  return {
    id: `${clientId}:${mutationId}`,
    clientId,
    mutationId,
    name,
    code,
    reason,
    rejectedAt: '2026-11-27T09:01:00Z',
    version
  }
}

async function newWork() {
  const c = (await db.conventions.toArray())[0]!
  const id = await createIntervention(ctx, {
    collectiviteId: c.collectiviteId,
    conventionId: c.id,
    kind: 'curative',
    title: 'Local'
  })
  const entryId = await addManualEntry(ctx, {
    interventionId: id,
    startedAt: '2026-11-27T08:00:00Z',
    endedAt: '2026-11-27T08:20:00Z',
    mode: 'onSite'
  })
  return { id, entryId, convention: c }
}

describe('applying a pull page', () => {
  it('writes rows, cookie and acknowledgement together, and drops only acknowledged outbox entries', async () => {
    await newWork()
    const { clientId } = await readSyncMeta(db)
    await applyPullPage(db, page({ cookie: 'after-1', lastMutationIds: { [clientId]: 1 } }))
    expect((await db.outbox.toArray()).map((o) => o.mutationId)).toEqual([2])
    expect((await readSyncMeta(db)).cookie).toBe('after-1')
    expect((await readSyncMeta(db)).ackedMutationId).toBe(1)
  })

  it('a reset rebuilds the synced tables but keeps rows with unacknowledged changes', async () => {
    const { id, entryId } = await newWork()
    await readSyncMeta(db) // creates this device's client id, as a sync pass does first
    await applyPullPage(
      db,
      page({
        reset: true,
        ops: [
          {
            op: 'put',
            table: 'collectivites',
            key: 'k',
            value: { id: 'k', name: 'Serveur', version: 3 }
          }
        ]
      })
    )
    expect(await db.collectivites.toArray()).toEqual([{ id: 'k', name: 'Serveur', version: 3 }])
    expect(await db.interventions.get(id)).toBeDefined()
    expect(await db.timeEntries.get(entryId)).toBeDefined()
    expect(await db.outbox.count()).toBe(2)
  })

  it('a refused creation removes the local row it made and recomputes units', async () => {
    const { id, entryId } = await newWork()
    const { clientId } = await readSyncMeta(db)
    const rejection = rejectionOf(
      clientId,
      2,
      'timeEntry.add.v1',
      'scope',
      'Hors de votre périmètre',
      5
    )
    await applyPullPage(
      db,
      page({
        lastMutationIds: { [clientId]: 2 },
        ops: [{ op: 'put', table: 'rejections', key: rejection.id, value: rejection }]
      })
    )
    expect(await db.timeEntries.get(entryId)).toBeUndefined()
    expect((await db.interventions.get(id))?.localUnits).toBe(0)
    expect(await db.rejections.count()).toBe(1)
    expect(await db.outbox.count()).toBe(0)
  })
})

describe('one sync pass', () => {
  it('pushes the outbox in order, pulls every page, and a replay after a lost answer duplicates nothing', async () => {
    await newWork()
    const pushes: PushRequest[] = []
    let serverLast = 0
    const transport: Transport = {
      push: async (req) => {
        pushes.push(req)
        serverLast = Math.max(serverLast, ...req.mutations.map((m) => m.id))
        return { lastMutationId: serverLast }
      },
      pull: async (req) => {
        const { clientId } = await readSyncMeta(db)
        return req.cookie === null
          ? page({ cookie: 'p1', more: true, lastMutationIds: { [clientId]: serverLast } })
          : page({ cookie: 'p2', lastMutationIds: { [clientId]: serverLast } })
      }
    }
    const report = await syncOnce(db, transport)
    expect(pushes[0]?.mutations.map((m) => m.id)).toEqual([1, 2])
    expect(report.pages).toBe(2)
    expect(await db.outbox.count()).toBe(0)
    expect((await readSyncMeta(db)).cookie).toBe('p2')
    // Nothing left: a second pass pushes nothing.
    await syncOnce(db, transport)
    expect(pushes).toHaveLength(1)
  })

  it('keeps every outbox entry when the network fails at any point', async () => {
    await newWork()
    const failing: Transport = {
      push: () => Promise.reject(new Error('offline')),
      pull: () => Promise.reject(new Error('offline'))
    }
    await expect(syncOnce(db, failing)).rejects.toThrow('offline')
    expect(await db.outbox.count()).toBe(2)
    const pushOnly: Transport = {
      push: async () => ({ lastMutationId: 2 }),
      pull: () => Promise.reject(new Error('cut'))
    }
    await expect(syncOnce(db, pushOnly)).rejects.toThrow('cut')
    expect(await db.outbox.count()).toBe(2)
  })
})

describe('refusals and server restores', () => {
  it('a refusal is acted on once: seen again after a reset, it does not loop', async () => {
    const { id } = await newWork()
    const { clientId } = await readSyncMeta(db)
    const rejection = rejectionOf(
      clientId,
      1,
      'intervention.create.v1',
      'status.locked',
      'Intervention signée',
      7
    )
    const withRejection = (p: Partial<PullResponse>) =>
      page({
        lastMutationIds: { [clientId]: 2 },
        ops: [{ op: 'put', table: 'rejections', key: rejection.id, value: rejection }],
        ...p
      })
    let pulls = 0
    const transport: Transport = {
      push: async (req) => ({ lastMutationId: Math.max(...req.mutations.map((m) => m.id)) }),
      pull: async () => {
        pulls++
        return withRejection({ reset: pulls > 1, cookie: `c${pulls}` })
      }
    }
    await syncOnce(db, transport)
    await syncOnce(db, transport)
    expect(pulls).toBe(2)
    expect(await db.interventions.get(id)).toBeUndefined()
    expect(await db.rejections.count()).toBe(1)
  })

  it('a refused push (4xx) still pulls the others’ work, then reports the refusal', async () => {
    await newWork()
    const refusal = Object.assign(new Error('413'), { code: 'sync.refused' })
    let pulled = false
    const transport: Transport = {
      push: () => Promise.reject(refusal),
      pull: async () => {
        pulled = true
        return page({
          ops: [
            {
              op: 'put',
              table: 'collectivites',
              key: 'n',
              value: { id: 'n', name: 'Nouvelle', version: 9 }
            }
          ]
        })
      }
    }
    await expect(syncOnce(db, transport)).rejects.toBe(refusal)
    expect(pulled).toBe(true)
    expect(await db.collectivites.get('n')).toBeDefined()
    expect(await db.outbox.count()).toBe(2)
  })

  it('splits pushes by size so long notes never exceed the body limit', async () => {
    const { id } = await newWork()
    for (let i = 0; i < 60; i++) {
      await addManualEntry(ctx, {
        interventionId: id,
        startedAt: `2026-11-26T${String(i % 24).padStart(2, '0')}:00:00Z`,
        endedAt: `2026-11-26T${String(i % 24).padStart(2, '0')}:01:00Z`,
        mode: 'remote',
        note: 'x'.repeat(1990)
      })
    }
    const sizes: number[] = []
    const transport: Transport = {
      push: async (req) => {
        sizes.push(JSON.stringify(req).length)
        return { lastMutationId: Math.max(...req.mutations.map((m) => m.id)) }
      },
      pull: async () => page({})
    }
    await syncOnce(db, transport)
    expect(sizes.length).toBeGreaterThan(0)
    expect(Math.max(...sizes)).toBeLessThan(600 * 1024)
  })

  it('a refusal on a later page than its acknowledgement still removes the refused row', async () => {
    const { entryId } = await newWork()
    const { clientId } = await readSyncMeta(db)
    const rejection = rejectionOf(
      clientId,
      2,
      'timeEntry.add.v1',
      'scope.forbidden',
      'Hors de votre périmètre',
      5
    )
    // Page 1 already acknowledges both mutations; the refusal's row comes on page 2.
    await applyPullPage(db, page({ cookie: 'p1', more: true, lastMutationIds: { [clientId]: 2 } }))
    // Kept for the refusal to find, but no longer pending for the technician.
    expect(await db.outbox.count()).toBe(2)
    expect(await countPending(db)).toBe(0)
    const applied = await applyPullPage(
      db,
      page({
        cookie: 'p2',
        lastMutationIds: { [clientId]: 2 },
        ops: [{ op: 'put', table: 'rejections', key: rejection.id, value: rejection }]
      })
    )
    expect(applied.rejected).toBe(1)
    expect(await db.timeEntries.get(entryId)).toBeUndefined()
    expect(await db.outbox.count()).toBe(0)
  })

  it('after a server restore, the pages after the re-key keep the renumbered queue', async () => {
    await newWork()
    await newWork()
    const before = await readSyncMeta(db)
    await applyPullPage(db, page({ lastMutationIds: { [before.clientId]: 2 } }))
    const queued = (await db.outbox.toArray()).map((o) => o.args)
    // The restored server knows this client up to 1: the push stops at the gap, and its
    // rebuild takes two pages, both still counting the old client id at 1.
    const pushes: PushRequest[] = []
    const transport: Transport = {
      push: async (req) => {
        pushes.push(req)
        return { lastMutationId: req.clientId === before.clientId ? 1 : 0 }
      },
      pull: async (req) =>
        page({
          reset: req.cookie !== 'r1',
          more: req.cookie !== 'r1',
          cookie: req.cookie === 'r1' ? 'r2' : 'r1',
          lastMutationIds: { [before.clientId]: 1 }
        })
    }
    await syncOnce(db, transport)
    const after = await readSyncMeta(db)
    expect(after.clientId).not.toBe(before.clientId)
    const outbox = await db.outbox.toArray()
    expect(outbox.map((o) => o.mutationId)).toEqual([1, 2])
    expect(outbox.map((o) => o.args)).toEqual(queued)
    // The next pass replays them from 1 under the new id.
    await syncOnce(db, transport)
    expect(pushes.at(-1)?.clientId).toBe(after.clientId)
    expect(pushes.at(-1)?.mutations.map((m) => m.id)).toEqual([1, 2])
  })

  it('when the server knows more of this client than the device issued, the queue is re-keyed', async () => {
    // The local store was restored from an older copy: the server has this client at 5 while
    // the device knows of 2 only, so its next mutations 3 to 5 would be skipped as replays.
    await newWork()
    const before = await readSyncMeta(db)
    await applyPullPage(db, page({ lastMutationIds: { [before.clientId]: 5 } }))
    const after = await readSyncMeta(db)
    expect(after.clientId).not.toBe(before.clientId)
    expect(after.ackedMutationId).toBe(0)
    expect((await db.outbox.toArray()).map((o) => o.mutationId)).toEqual([1, 2])
  })

  it('after a server restore forgot acknowledged mutations, the queue is replayed under a new client id', async () => {
    await newWork()
    const before = await readSyncMeta(db)
    await applyPullPage(db, page({ lastMutationIds: { [before.clientId]: 1 } }))
    expect((await db.outbox.toArray()).map((o) => o.mutationId)).toEqual([2])
    // The restored server only knew mutations up to 0 for this client.
    await applyPullPage(db, page({ lastMutationIds: {} }))
    const after = await readSyncMeta(db)
    expect(after.clientId).not.toBe(before.clientId)
    expect(after.ackedMutationId).toBe(0)
    expect((await db.outbox.toArray()).map((o) => [o.mutationId, o.name])).toEqual([
      [1, 'timeEntry.add.v1']
    ])
  })
})
