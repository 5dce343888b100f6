import {
  assertTransition,
  DomainError,
  isLocked,
  uuidv7,
  type InterventionStatus
} from '../../../../shared/domain'
import {
  interventionCreateArgs,
  interventionEditableFields,
  type MutationArgs
} from '../../../../shared/sync/mutations'
import type { RepoContext } from '../context'
import { enqueue } from '../outbox'
import type { InterventionRow } from '../rows'
import { notFound, parseOrThrow } from '../validate'

export type NewIntervention = Omit<MutationArgs<'intervention.create.v1'>, 'id'>
export type InterventionFields = MutationArgs<'intervention.update.v1'>['fields']

/** Creates a planned intervention; the row and its outbox entry commit together. */
export async function createIntervention(
  ctx: RepoContext,
  input: NewIntervention
): Promise<string> {
  const { db } = ctx
  const args = parseOrThrow(interventionCreateArgs, { ...input, id: uuidv7(ctx.now()) })
  return db.transaction('rw', [db.interventions, db.conventions, db.outbox, db.meta], async () => {
    const convention = await db.conventions.get(args.conventionId)
    if (!convention) throw notFound('Agreement', args.conventionId)
    if (convention.collectiviteId !== args.collectiviteId) {
      throw new DomainError('validation.failed', 'This agreement belongs to another municipality.')
    }
    const at = new Date(ctx.now()).toISOString()
    const row: InterventionRow = {
      id: args.id,
      collectiviteId: args.collectiviteId,
      conventionId: args.conventionId,
      kind: args.kind,
      origin: args.origin ?? 'technician',
      priority: args.priority ?? 'normal',
      status: 'planned',
      title: args.title,
      description: args.description ?? '',
      siteId: args.siteId ?? null,
      assetIds: args.assetIds ?? [],
      scheduledFor: args.scheduledFor ?? null,
      createdBy: ctx.technicianId,
      createdAt: at,
      updatedAt: at,
      seconds: 0,
      units: 0,
      version: 0,
      localSeconds: 0,
      localUnits: 0
    }
    await db.interventions.add(row)
    await enqueue(db, 'intervention.create.v1', args, ctx.now())
    return args.id
  })
}

/** Edits fields of an intervention that is not signed. */
export async function updateIntervention(
  ctx: RepoContext,
  id: string,
  input: InterventionFields
): Promise<void> {
  const { db } = ctx
  const fields = parseOrThrow(interventionEditableFields, input)
  if (Object.keys(fields).length === 0) return
  await db.transaction('rw', [db.interventions, db.outbox, db.meta], async () => {
    const row = await db.interventions.get(id)
    if (!row) throw notFound('Intervention', id)
    if (isLocked(row.status)) {
      throw new DomainError('status.locked', 'This intervention is signed: its record is locked.')
    }
    await db.interventions.update(id, { ...fields, updatedAt: new Date(ctx.now()).toISOString() })
    await enqueue(db, 'intervention.update.v1', { id, baseVersion: row.version, fields }, ctx.now())
  })
}

/** Moves an intervention along the status machine; illegal moves throw and change nothing. */
export async function setInterventionStatus(
  ctx: RepoContext,
  id: string,
  status: InterventionStatus
): Promise<void> {
  const { db } = ctx
  await db.transaction('rw', [db.interventions, db.timers, db.outbox, db.meta], async () => {
    const row = await db.interventions.get(id)
    if (!row) throw notFound('Intervention', id)
    if (row.status === status) return
    assertTransition(row.status, status)
    if (status === 'signed' || status === 'done') {
      const timer = await db.timers.get(ctx.technicianId)
      if (timer?.interventionId === id && timer.state === 'running') {
        throw new DomainError('timer.running', 'Stop the timer before closing this intervention.')
      }
    }
    await db.interventions.update(id, { status, updatedAt: new Date(ctx.now()).toISOString() })
    await enqueue(db, 'intervention.setStatus.v1', { id, status }, ctx.now())
  })
}

/** Used inside other repository transactions (the timer moves a planned intervention along). */
export async function markInProgress(ctx: RepoContext, row: InterventionRow): Promise<void> {
  if (row.status === 'inProgress') return
  assertTransition(row.status, 'inProgress')
  await ctx.db.interventions.update(row.id, {
    status: 'inProgress',
    updatedAt: new Date(ctx.now()).toISOString()
  })
  await enqueue(
    ctx.db,
    'intervention.setStatus.v1',
    { id: row.id, status: 'inProgress' },
    ctx.now()
  )
}
