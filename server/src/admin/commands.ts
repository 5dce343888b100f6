import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import {
  collectiviteSchema,
  conventionSchema,
  UNITS_SCOPES,
  type UnitsScope
} from '../../../src/shared/domain'
import type { Role } from '../../../src/shared/sync/protocol'
import { hashPassword } from '../auth/passwords'
import type { Db } from '../db/db'
import { notifyPoke } from '../sync/pokes'
import { recomputeBalance } from '../sync/recompute'
import { VersionAllocator } from '../sync/versions'
import { AdminError } from './errors'

/** What the admin CLI does, callable in-process (tests, seed-demo) without argv parsing. */

function invalid(error: z.ZodError): AdminError {
  return new AdminError(
    'validation.failed',
    error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')
  )
}

const technicianInput = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(10, 'A password needs at least 10 characters.').max(1024),
  role: z.enum(['technician', 'lead'])
})

export async function createTechnician(
  db: Db,
  input: { email: string; name: string; password: string; role: Role },
  scryptLogN = 15
): Promise<string> {
  const parsed = technicianInput.safeParse(input)
  if (!parsed.success) throw invalid(parsed.error)
  const id = randomUUID()
  const hash = await hashPassword(parsed.data.password, scryptLogN)
  const { rowCount } = await db.query(
    `INSERT INTO technicians (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING`,
    [id, parsed.data.email.toLowerCase(), parsed.data.name, parsed.data.role, hash]
  )
  if (rowCount === 0)
    throw new AdminError(
      'technician.exists',
      `A technician with email ${input.email} exists already.`
    )
  return id
}

export async function createCollectivite(
  db: Db,
  input: { name: string; insee?: string }
): Promise<string> {
  const id = randomUUID()
  const parsed = collectiviteSchema.safeParse({ id, ...input })
  if (!parsed.success) throw invalid(parsed.error)
  await db.transaction(async (tx) => {
    const version = await new VersionAllocator(tx).get()
    await tx.query('INSERT INTO collectivites (id, name, insee, version) VALUES ($1, $2, $3, $4)', [
      id,
      parsed.data.name,
      parsed.data.insee ?? null,
      version
    ])
    // Leads see every municipality at once; technicians only once assigned.
    await notifyPoke(tx, { collectivites: [id], technicianId: null })
  })
  return id
}

export async function createConvention(
  db: Db,
  input: {
    collectiviteId: string
    number: string
    unitsPurchased: number
    startsOn: string
    endsOn: string
    signedOn?: string
    scope?: UnitsScope
  }
): Promise<string> {
  const id = randomUUID()
  if (input.scope !== undefined && !UNITS_SCOPES.includes(input.scope))
    throw new AdminError('validation.failed', `--scope must be one of ${UNITS_SCOPES.join(', ')}.`)
  const parsed = conventionSchema.safeParse({
    id,
    collectiviteId: input.collectiviteId,
    number: input.number,
    signedOn: input.signedOn ?? input.startsOn,
    startsOn: input.startsOn,
    endsOn: input.endsOn,
    unitsPurchased: input.unitsPurchased,
    policy: { scope: input.scope ?? 'intervention' }
  })
  if (!parsed.success) throw invalid(parsed.error)
  const c = parsed.data
  await db.transaction(async (tx) => {
    const version = await new VersionAllocator(tx).get()
    const { rows } = await tx.query(
      'SELECT 1 FROM collectivites WHERE id = $1 AND deleted_at IS NULL',
      [c.collectiviteId]
    )
    if (rows.length === 0)
      throw new AdminError('collectivite.notFound', `No municipality with id ${c.collectiviteId}.`)
    const { rowCount } = await tx.query(
      `INSERT INTO conventions (id, collectivite_id, number, signed_on, starts_on, ends_on,
         units_purchased, policy, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (number) DO NOTHING`,
      [
        id,
        c.collectiviteId,
        c.number,
        c.signedOn,
        c.startsOn,
        c.endsOn,
        c.unitsPurchased,
        JSON.stringify(c.policy),
        version
      ]
    )
    if (rowCount === 0)
      throw new AdminError('convention.exists', `An agreement numbered ${c.number} exists already.`)
    await recomputeBalance(tx, id, version)
    await notifyPoke(tx, { collectivites: [c.collectiviteId], technicianId: null })
  })
  return id
}

async function checkPair(db: Db, technicianId: string, collectiviteId: string): Promise<void> {
  const uuid = z.uuid()
  if (!uuid.safeParse(technicianId).success || !uuid.safeParse(collectiviteId).success)
    throw new AdminError('validation.failed', '--technician and --collectivite take ids (UUIDs).')
  const { rows: t } = await db.query('SELECT 1 FROM technicians WHERE id = $1', [technicianId])
  if (t.length === 0)
    throw new AdminError('technician.notFound', `No technician with id ${technicianId}.`)
  const { rows: c } = await db.query('SELECT 1 FROM collectivites WHERE id = $1', [collectiviteId])
  if (c.length === 0)
    throw new AdminError('collectivite.notFound', `No municipality with id ${collectiviteId}.`)
}

/**
 * Assigns a municipality to a technician (idempotent: an existing current assignment is
 * returned). The change of scope makes the technician's next pull a reset that brings its rows.
 */
export async function assign(
  db: Db,
  technicianId: string,
  collectiviteId: string
): Promise<string> {
  await checkPair(db, technicianId, collectiviteId)
  return db.transaction(async (tx) => {
    const id = randomUUID()
    await tx.query(
      `INSERT INTO assignments (id, technician_id, collectivite_id) VALUES ($1, $2, $3)
       ON CONFLICT (technician_id, collectivite_id) WHERE unassigned_at IS NULL DO NOTHING`,
      [id, technicianId, collectiviteId]
    )
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM assignments
        WHERE technician_id = $1 AND collectivite_id = $2 AND unassigned_at IS NULL`,
      [technicianId, collectiviteId]
    )
    await notifyPoke(tx, { collectivites: [], technicianId })
    return rows[0]?.id ?? id
  })
}

/**
 * Ends an assignment, dated: later writes there are rejected, except time entries that started
 * before this moment. The history row stays.
 */
export async function unassign(
  db: Db,
  technicianId: string,
  collectiviteId: string
): Promise<string> {
  await checkPair(db, technicianId, collectiviteId)
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE assignments SET unassigned_at = now()
        WHERE technician_id = $1 AND collectivite_id = $2 AND unassigned_at IS NULL RETURNING id`,
      [technicianId, collectiviteId]
    )
    const row = rows[0]
    if (!row)
      throw new AdminError(
        'assignment.notFound',
        'This technician is not assigned to this municipality.'
      )
    await notifyPoke(tx, { collectivites: [], technicianId })
    return row.id
  })
}

/**
 * Gives the database a new identity (`meta.database_id`). Run it after restoring a backup: the
 * restored database would otherwise accept the pull cookies clients made against the lost
 * history (versions they have seen may be reused by new writes). With a new id every client's
 * next pull is a reset: it rebuilds its copy from the restored data, keeping its outbox. The
 * clients' lastMutationIds are whatever the backup holds. Every open event stream is poked.
 *
 * @returns the new database id
 */
export async function rotateEpoch(db: Db): Promise<string> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ value: string }>(
      `UPDATE meta SET value = gen_random_uuid()::text WHERE key = 'database_id' RETURNING value`
    )
    const id = rows[0]?.value
    if (!id) throw new AdminError('database.invalid', 'This database has no database_id row.')
    await notifyPoke(tx, { collectivites: null, technicianId: null })
    return id
  })
}
