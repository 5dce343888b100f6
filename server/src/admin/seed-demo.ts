import { generateDemoData } from '../../../src/shared/demo/demo-data'
import { parisToday } from '../../../src/shared/domain'
import type { Db } from '../db/db'
import { notifyPoke } from '../sync/pokes'
import { VersionAllocator } from '../sync/versions'
import { assign, createTechnician } from './commands'
import { AdminError } from './errors'
import { importData } from './import'

/**
 * Fictional demonstration accounts. Their passwords are public on purpose (printed, documented):
 * seed-demo is for a local trial, never for a server holding real work.
 */
export const DEMO_ACCOUNTS = {
  technician: {
    email: 'demo@carnet.example',
    name: 'Technicien de démonstration',
    password: 'demo-carnet-2024',
    role: 'technician' as const
  },
  lead: {
    email: 'lead@carnet.example',
    name: 'Cheffe de projet de démonstration',
    password: 'lead-carnet-2024',
    role: 'lead' as const
  }
}

export interface SeedResult {
  id: string
  technician: { id: string; email: string; password: string; created: boolean }
  lead: { id: string; email: string; password: string; created: boolean }
  collectivites: number
  interventions: number
  timeEntries: number
}

async function ensureAccount(
  db: Db,
  account: (typeof DEMO_ACCOUNTS)['technician' | 'lead'],
  password: string,
  logN: number
): Promise<{ id: string; created: boolean }> {
  try {
    return { id: await createTechnician(db, { ...account, password }, logN), created: true }
  } catch (error) {
    if (!(error instanceof AdminError) || error.code !== 'technician.exists') throw error
    const { rows } = await db.query<{ id: string }>('SELECT id FROM technicians WHERE email = $1', [
      account.email
    ])
    return { id: rows[0]?.id ?? '', created: false }
  }
}

/**
 * Seeds the fictional demo data (generateDemoData, fixed seed: same ids every run) with a demo
 * technician assigned to every demo municipality and a lead. Idempotent: existing accounts keep
 * their passwords and existing rows are left alone.
 */
export async function seedDemo(
  db: Db,
  options: {
    password?: string
    today?: string
    interventions?: number
    timeEntries?: number
    scryptLogN?: number
  } = {}
): Promise<SeedResult> {
  const logN = options.scryptLogN ?? 15
  const techPassword = options.password ?? DEMO_ACCOUNTS.technician.password
  const leadPassword = options.password ?? DEMO_ACCOUNTS.lead.password
  const technician = await ensureAccount(db, DEMO_ACCOUNTS.technician, techPassword, logN)
  const lead = await ensureAccount(db, DEMO_ACCOUNTS.lead, leadPassword, logN)
  const data = generateDemoData({
    today: options.today ?? parisToday(Date.now()),
    technicianId: technician.id,
    ...(options.interventions !== undefined ? { interventions: options.interventions } : {}),
    ...(options.timeEntries !== undefined ? { timeEntries: options.timeEntries } : {})
  })
  await db.transaction(async (tx) => {
    const version = await new VersionAllocator(tx).get()
    await importData(tx, data, version)
    await notifyPoke(tx, { collectivites: data.collectivites.map((c) => c.id), technicianId: null })
  })
  for (const c of data.collectivites) await assign(db, technician.id, c.id)
  return {
    id: technician.id,
    technician: {
      id: technician.id,
      email: DEMO_ACCOUNTS.technician.email,
      password: techPassword,
      created: technician.created
    },
    lead: {
      id: lead.id,
      email: DEMO_ACCOUNTS.lead.email,
      password: leadPassword,
      created: lead.created
    },
    collectivites: data.collectivites.length,
    interventions: data.interventions.length,
    timeEntries: data.timeEntries.length
  }
}
