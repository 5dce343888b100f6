import { DomainError } from '../../../shared/domain/errors'
import type { CarnetDb } from '../db/database'
import { countPending } from '../db/outbox'
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
  const otherUsersWork = () =>
    new DomainError(
      'sync.pendingOtherUser',
      'Another technician’s work on this device is not on the server yet.'
    )
  // Checked before signing in, so another technician's session is not replaced either.
  if (
    mode === 'server' &&
    (await unsavedWork(db)) &&
    typeof previousEmail === 'string' &&
    previousEmail !== input.email.trim().toLowerCase()
  ) {
    throw otherUsersWork()
  }
  const status = await api.authLogin(input)
  const technician = status.technician
  if (!technician)
    throw new DomainError('validation.failed', 'The server did not say who signed in.')
  const sameTechnician = mode === 'server' && previous?.id === technician.id
  try {
    await db.transaction('rw', allTables(db), async () => {
      if (!sameTechnician) {
        // Checked where the wipe happens: another window may have written (or signed in) since.
        const modeNow = (await db.meta.get('mode'))?.value
        if (modeNow === 'server' && (await unsavedWork(db))) throw otherUsersWork()
        await Promise.all(allTables(db).map((t) => t.clear()))
      }
      await db.meta.bulkPut([
        { key: 'mode', value: 'server' },
        { key: 'email', value: input.email.trim().toLowerCase() },
        { key: 'technician', value: { id: technician.id, name: technician.name } }
      ])
    })
  } catch (error) {
    // This device keeps the other technician's work, so it must not stay signed in as this one.
    await api.authLogout()
    throw error
  }
}

/**
 * Work a wipe of this device would lose, if any: changes not on the server yet, or a running
 * timer (its open segment is not an entry until it stops or pauses; a paused timer has none).
 */
async function unsavedWork(db: CarnetDb): Promise<DomainError | null> {
  if ((await countPending(db)) > 0)
    return new DomainError(
      'sync.pendingChanges',
      'Some changes have not reached the server yet: synchronize first.'
    )
  if ((await db.timers.filter((t) => t.state === 'running').count()) > 0)
    return new DomainError(
      'sync.timerRunning',
      'A timer is running: stop it before signing out, or its time is lost.'
    )
  return null
}

/**
 * Signs out and empties this device; refused while anything would be lost (unsavedWork). The
 * check is made again in the wiping transaction: another window may write in the meantime
 * (the sign-out request takes a moment). That device is then signed out with its work kept.
 */
export async function signOut(db: CarnetDb): Promise<void> {
  const before = await unsavedWork(db)
  if (before) throw before
  await api.authLogout()
  await db.transaction('rw', allTables(db), async () => {
    const since = await unsavedWork(db)
    if (since) throw since
    await Promise.all(allTables(db).map((t) => t.clear()))
  })
}
