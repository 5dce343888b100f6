import { DomainError } from '../../../shared/domain/errors'
import type { CarnetDb } from '../db/database'
import { api } from '../lib/api'

/** Tables a device-wide wipe empties (everything the local store holds). */
function allTables(db: CarnetDb) {
  return db.tables
}

/**
 * Signs this device in. Demo data never reaches a real server: a device leaving demo mode is
 * wiped first (its fictional work included). Signing in again as the same technician keeps
 * local work; another technician's unsynced work is never discarded silently.
 */
export async function signIn(
  db: CarnetDb,
  input: { serverUrl: string; email: string; password: string; deviceName: string }
): Promise<void> {
  const mode = (await db.meta.get('mode'))?.value
  const previous = (await db.meta.get('technician'))?.value as { id?: string } | undefined
  const previousEmail = (await db.meta.get('email'))?.value
  const pending = await db.outbox.count()
  // Checked before signing in, so another technician's session is not replaced either.
  if (
    mode === 'server' &&
    pending > 0 &&
    typeof previousEmail === 'string' &&
    previousEmail !== input.email.trim().toLowerCase()
  ) {
    throw new DomainError(
      'sync.pendingOtherUser',
      'Changes of another technician are waiting to sync on this device.'
    )
  }
  const status = await api.authLogin(input)
  const technician = status.technician
  if (!technician)
    throw new DomainError('validation.failed', 'The server did not say who signed in.')
  const sameTechnician = mode === 'server' && previous?.id === technician.id
  if (!sameTechnician && mode === 'server' && pending > 0) {
    await api.authLogout()
    throw new DomainError(
      'sync.pendingOtherUser',
      'Changes of another technician are waiting to sync on this device.'
    )
  }
  await db.transaction('rw', allTables(db), async () => {
    if (!sameTechnician) await Promise.all(allTables(db).map((t) => t.clear()))
    await db.meta.bulkPut([
      { key: 'mode', value: 'server' },
      { key: 'email', value: input.email.trim().toLowerCase() },
      { key: 'technician', value: { id: technician.id, name: technician.name } }
    ])
  })
}

/** Signs out; refused while changes wait to sync, since they would be lost. */
export async function signOut(db: CarnetDb): Promise<void> {
  if ((await db.outbox.count()) > 0) {
    throw new DomainError(
      'sync.pendingChanges',
      'Some changes have not reached the server yet: synchronize first.'
    )
  }
  await api.authLogout()
  await db.transaction('rw', allTables(db), () => Promise.all(allTables(db).map((t) => t.clear())))
}
