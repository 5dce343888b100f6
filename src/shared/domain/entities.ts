import { z } from 'zod'
import { isIsoDate } from './paris-time'
import { INTERVENTION_STATUSES } from './status'
import { isIsoInstant, spanIssue, tryParseInstant, unitsPolicySchema } from './units'

// Every object schema is strict: an unknown key is more likely a client bug or a stale schema
// than data worth keeping, and the server must not silently store what it does not understand.

export const isoDateSchema = z
  .string()
  .refine(isIsoDate, { message: 'Expected a real calendar date written YYYY-MM-DD.' })
export const isoInstantSchema = z.string().refine(isIsoInstant, {
  message: 'Expected a date and time with offset, e.g. 2024-03-31T09:15:00+02:00.'
})
export const uuidSchema = z.uuid()

/**
 * Free text. PostgreSQL `text` cannot hold U+0000, so a NUL must fail validation here (a 400 or a
 * rejection) rather than reach the server's database as an error.
 */
export const safeText = (): z.ZodString =>
  z.string().refine((s) => !s.includes('\u0000'), 'Text cannot contain the NUL character (U+0000).')

const nameSchema = safeText().trim().min(1).max(200)

export const collectiviteSchema = z.strictObject({
  id: uuidSchema,
  name: nameSchema,
  // INSEE commune code: 5 digits, or 2A/2B followed by 3 digits for Corsica.
  insee: z
    .string()
    .regex(/^(\d{5}|2[AB]\d{3})$/, 'Expected an INSEE code such as 75056 or 2A004.')
    .optional(),
  demo: z.boolean().optional()
})

/** The same day one year later; 29 February falls back to 28 February. */
function oneYearAfter(date: string): string {
  const year = String(Number(date.slice(0, 4)) + 1).padStart(4, '0')
  const sameDay = `${year}${date.slice(4)}`
  return isIsoDate(sameDay) ? sameDay : `${year}-02-28`
}

export const conventionSchema = z
  .strictObject({
    id: uuidSchema,
    collectiviteId: uuidSchema,
    number: z
      .string()
      .regex(/^\d{4}[A-Z]{2,6}\d{3}$/, 'Expected an agreement number such as 2023SUP001.'),
    signedOn: isoDateSchema,
    startsOn: isoDateSchema,
    endsOn: isoDateSchema,
    unitsPurchased: z.int().min(1).max(100000),
    costEuros: z.number().min(0).optional(),
    inventoryConventionNumber: safeText().trim().min(1).max(50).optional(),
    policy: unitsPolicySchema,
    terminatedOn: isoDateSchema.nullable().optional(),
    demo: z.boolean().optional()
  })
  .superRefine((c, ctx) => {
    if (!isIsoDate(c.startsOn) || !isIsoDate(c.endsOn)) return
    if (c.endsOn < c.startsOn) {
      ctx.addIssue({
        code: 'custom',
        path: ['endsOn'],
        message: `The agreement ends (${c.endsOn}) before it starts (${c.startsOn}).`
      })
    } else if (c.endsOn > oneYearAfter(c.startsOn)) {
      ctx.addIssue({
        code: 'custom',
        path: ['endsOn'],
        message: `An agreement's validity is at most one year (${c.startsOn} to ${c.endsOn}).`
      })
    }
  })

export const siteSchema = z.strictObject({
  id: uuidSchema,
  collectiviteId: uuidSchema,
  name: nameSchema,
  address: safeText().max(500).optional()
})

export const ASSET_CATEGORIES = [
  'server',
  'network',
  'workstation',
  'laptop',
  'printer',
  'phone',
  'other'
] as const

export const assetSchema = z.strictObject({
  id: uuidSchema,
  collectiviteId: uuidSchema,
  siteId: uuidSchema.nullable().optional(),
  name: nameSchema,
  category: z.enum(ASSET_CATEGORIES),
  critical: z.boolean(),
  os: safeText().max(200).optional(),
  addresses: z.array(safeText().trim().min(1).max(255)).optional(),
  notes: safeText().max(10000).optional()
})

export const INTERVENTION_KINDS = ['preventive', 'curative', 'training'] as const
export const INTERVENTION_ORIGINS = [
  'request',
  'phone',
  'email',
  'maintenancePlan',
  'technician'
] as const
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const

const interventionFields = {
  collectiviteId: uuidSchema,
  conventionId: uuidSchema,
  kind: z.enum(INTERVENTION_KINDS),
  origin: z.enum(INTERVENTION_ORIGINS),
  priority: z.enum(PRIORITIES),
  title: nameSchema,
  siteId: uuidSchema.nullable().optional(),
  scheduledFor: isoDateSchema.nullable().optional()
}

export const interventionSchema = z.strictObject({
  ...interventionFields,
  id: uuidSchema,
  status: z.enum(INTERVENTION_STATUSES),
  description: safeText().max(10000).default(''),
  assetIds: z.array(uuidSchema).default([]),
  resolution: safeText().max(10000).optional(),
  notes: safeText().max(10000).optional(),
  createdBy: safeText().min(1),
  createdAt: isoInstantSchema,
  updatedAt: isoInstantSchema,
  // Recomputed by the server from time entries; a client value is never trusted.
  seconds: z.number().min(0).default(0),
  units: z.int().min(0).default(0)
})

export const interventionDraftSchema = z.strictObject({
  ...interventionFields,
  description: safeText().max(10000).optional(),
  assetIds: z.array(uuidSchema).optional()
})

export const TIME_ENTRY_MODES = ['onSite', 'remote'] as const
export const TIME_ENTRY_SOURCES = ['timer', 'manual', 'remoteSession'] as const

/** A stored entry must last at least 1 ms and at most 24 h; messages match DomainError ones. */
function refineSpan(span: { startedAt: string; endedAt: string }, ctx: z.RefinementCtx): void {
  const startMs = tryParseInstant(span.startedAt)
  const endMs = tryParseInstant(span.endedAt)
  if (startMs === null || endMs === null) return
  const issue = spanIssue(startMs, endMs, true)
  if (issue) {
    ctx.addIssue({ code: 'custom', path: ['endedAt'], message: issue.message, params: issue })
  }
}

export const voidReasonSchema = safeText().trim().min(3).max(500)

export const timeEntrySchema = z
  .strictObject({
    id: uuidSchema,
    interventionId: uuidSchema,
    technicianId: safeText().min(1).max(200),
    startedAt: isoInstantSchema,
    endedAt: isoInstantSchema,
    mode: z.enum(TIME_ENTRY_MODES),
    source: z.enum(TIME_ENTRY_SOURCES),
    assetId: uuidSchema.nullable().optional(),
    note: safeText().max(2000).optional(),
    createdAt: isoInstantSchema,
    voidedAt: isoInstantSchema.nullable().optional(),
    voidReason: voidReasonSchema.nullable().optional()
  })
  .superRefine(refineSpan)

export const manualEntryDraftSchema = z
  .strictObject({
    interventionId: uuidSchema,
    startedAt: isoInstantSchema,
    endedAt: isoInstantSchema,
    mode: z.enum(TIME_ENTRY_MODES),
    assetId: uuidSchema.nullable().optional(),
    note: safeText().max(2000).optional()
  })
  .superRefine(refineSpan)

export type IsoDate = z.infer<typeof isoDateSchema>
export type IsoInstant = z.infer<typeof isoInstantSchema>
export type Uuid = z.infer<typeof uuidSchema>
export type Collectivite = z.infer<typeof collectiviteSchema>
export type Convention = z.infer<typeof conventionSchema>
export type Site = z.infer<typeof siteSchema>
export type AssetCategory = (typeof ASSET_CATEGORIES)[number]
export type Asset = z.infer<typeof assetSchema>
export type InterventionKind = (typeof INTERVENTION_KINDS)[number]
export type InterventionOrigin = (typeof INTERVENTION_ORIGINS)[number]
export type Priority = (typeof PRIORITIES)[number]
export type Intervention = z.infer<typeof interventionSchema>
export type InterventionDraft = z.infer<typeof interventionDraftSchema>
export type TimeEntryMode = (typeof TIME_ENTRY_MODES)[number]
export type TimeEntrySource = (typeof TIME_ENTRY_SOURCES)[number]
export type TimeEntry = z.infer<typeof timeEntrySchema>
export type ManualEntryDraft = z.infer<typeof manualEntryDraftSchema>
export type VoidReason = z.infer<typeof voidReasonSchema>
