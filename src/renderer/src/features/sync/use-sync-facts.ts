import { useLiveQuery } from 'dexie-react-hooks'
import { repo } from '../../app/session'
import { countPending } from '../../db/outbox'

/** Durable sync facts from the local store: pending count, last success, rejections. */
export function useSyncFacts() {
  return useLiveQuery(async () => {
    const { db } = repo()
    const [pending, lastSyncAt, rejections] = await Promise.all([
      countPending(db),
      db.meta.get('lastSyncAt'),
      db.rejections.orderBy('mutationId').reverse().toArray()
    ])
    return {
      pending,
      lastSyncAt: typeof lastSyncAt?.value === 'string' ? lastSyncAt.value : null,
      rejections
    }
  }, [])
}
