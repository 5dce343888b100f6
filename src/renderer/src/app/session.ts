import { parisToday } from '../../../shared/domain/paris-time'
import { CarnetDb } from '../db/database'
import type { RepoContext } from '../db/context'
import { loadDemoDataIfEmpty, localTechnician, type LocalTechnician } from '../db/demo'
import type { AuthStatus } from '../../../shared/ipc/contract'
import { api } from '../lib/api'
import { askAuthStatus } from './auth-status'

export interface Session {
  ctx: RepoContext
  technician: LocalTechnician
  demo: boolean
  /** Null when the main process could not be asked (it is then treated as signed out). */
  auth: AuthStatus | null
  /** The error code that left `auth` null, shown on the sync page; null otherwise. */
  authProblem: string | null
}

let current: Session | null = null

/**
 * Opens the local store once per page: asks for persistent storage (so the browser does not
 * evict a day of offline work), asks the main process whether this device is signed in, and on a
 * first run without a server loads the demo data set.
 */
export async function openSession(): Promise<Session> {
  if (current) return current
  const db = new CarnetDb()
  await db.open()
  if (navigator.storage?.persist) {
    void navigator.storage.persist().catch(() => false)
  }
  const { status: auth, problem: authProblem } = await askAuthStatus(api.authStatus)
  const serverMode = (await db.meta.get('mode'))?.value === 'server'
  if (!serverMode && !auth?.signedIn)
    await loadDemoDataIfEmpty(db, { today: parisToday(Date.now()) })
  const technician = await localTechnician(db)
  const demo = (await db.meta.get('demo'))?.value === true
  current = {
    ctx: { db, technicianId: technician.id, now: () => Date.now() },
    technician,
    demo,
    auth,
    authProblem
  }
  return current
}

/** The open session; components render only after `openSession` resolved. */
export function session(): Session {
  if (!current) throw new Error('session not open')
  return current
}

export function repo(): RepoContext {
  return session().ctx
}
