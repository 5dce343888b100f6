import { z } from 'zod'
import {
  INTERVENTION_KINDS,
  INTERVENTION_ORIGINS,
  isoDateSchema,
  isoInstantSchema,
  PRIORITIES,
  safeText,
  TIME_ENTRY_MODES,
  TIME_ENTRY_SOURCES,
  uuidSchema,
  voidReasonSchema
} from '../domain/entities'
import { INTERVENTION_STATUSES } from '../domain/status'
import { REMOTE_PROTOCOLS } from '../remote/remote-profile'
import { validateSpan, MAX_ENTRY_SECONDS } from '../domain/units'

/**
 * The mutations a client queues in its outbox and the server applies (sync.md). Names carry a
 * version so an old client's queue stays readable after an upgrade. Shared by the renderer and
 * the server: both validate with these exact schemas.
 */
const title = safeText().trim().min(1).max(200)

export const interventionCreateArgs = z.strictObject({
  id: uuidSchema,
  collectiviteId: uuidSchema,
  conventionId: uuidSchema,
  kind: z.enum(INTERVENTION_KINDS),
  origin: z.enum(INTERVENTION_ORIGINS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  title,
  description: safeText().max(10000).optional(),
  siteId: uuidSchema.nullable().optional(),
  assetIds: z.array(uuidSchema).max(100).optional(),
  scheduledFor: isoDateSchema.nullable().optional()
})

/** Fields a technician may edit after creation; last writer wins per field on the server. */
export const interventionEditableFields = z.strictObject({
  title: title.optional(),
  description: safeText().max(10000).optional(),
  kind: z.enum(INTERVENTION_KINDS).optional(),
  origin: z.enum(INTERVENTION_ORIGINS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  siteId: uuidSchema.nullable().optional(),
  assetIds: z.array(uuidSchema).max(100).optional(),
  scheduledFor: isoDateSchema.nullable().optional(),
  resolution: safeText().max(10000).optional(),
  notes: safeText().max(10000).optional()
})

export const interventionUpdateArgs = z.strictObject({
  id: uuidSchema,
  baseVersion: z.int().min(0),
  fields: interventionEditableFields.refine((f) => Object.keys(f).length > 0, 'No field to update.')
})

export const interventionSetStatusArgs = z.strictObject({
  id: uuidSchema,
  status: z.enum(INTERVENTION_STATUSES)
})

export const timeEntryAddArgs = z
  .strictObject({
    id: uuidSchema,
    interventionId: uuidSchema,
    startedAt: isoInstantSchema,
    endedAt: isoInstantSchema,
    mode: z.enum(TIME_ENTRY_MODES),
    source: z.enum(TIME_ENTRY_SOURCES),
    assetId: uuidSchema.nullable().optional(),
    note: safeText().max(2000).optional()
  })
  .superRefine((args, ctx) => {
    try {
      const { startMs, endMs } = validateSpan(args)
      if (endMs <= startMs)
        ctx.addIssue({
          code: 'custom',
          path: ['endedAt'],
          message: 'The end must be after the start.'
        })
      else if (endMs - startMs > MAX_ENTRY_SECONDS * 1000)
        ctx.addIssue({
          code: 'custom',
          path: ['endedAt'],
          message: 'A time entry cannot last more than 24 hours.'
        })
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['endedAt'],
        message: error instanceof Error ? error.message : 'Invalid time span.'
      })
    }
  })

export const timeEntryVoidArgs = z.strictObject({ id: uuidSchema, reason: voidReasonSchema })

export const REMOTE_OUTCOMES = ['ended', 'failed', 'cancelled'] as const

/**
 * The log of a remote-control session (who, when, asset, protocol, duration, outcome). The
 * technician comes from the server's auth context; the time itself is billed only through a
 * `timeEntry.add.v1` the technician confirmed.
 */
export const remoteSessionLogArgs = z
  .strictObject({
    id: uuidSchema,
    assetId: uuidSchema,
    interventionId: uuidSchema.nullable().optional(),
    protocol: z.enum(REMOTE_PROTOCOLS),
    startedAt: isoInstantSchema,
    endedAt: isoInstantSchema,
    outcome: z.enum(REMOTE_OUTCOMES),
    detail: safeText().max(500).optional()
  })
  .superRefine((args, ctx) => {
    if (Date.parse(args.endedAt) < Date.parse(args.startedAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['endedAt'],
        message: 'The end must not be before the start.'
      })
    }
  })

export const MUTATIONS = {
  'intervention.create.v1': interventionCreateArgs,
  'intervention.update.v1': interventionUpdateArgs,
  'intervention.setStatus.v1': interventionSetStatusArgs,
  'timeEntry.add.v1': timeEntryAddArgs,
  'timeEntry.void.v1': timeEntryVoidArgs,
  'remoteSession.log.v1': remoteSessionLogArgs
} as const

export type MutationName = keyof typeof MUTATIONS
export type MutationArgs<N extends MutationName> = z.output<(typeof MUTATIONS)[N]>
