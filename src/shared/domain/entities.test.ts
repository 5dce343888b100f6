import { describe, it, expect } from 'vitest'
import {
  collectiviteSchema,
  conventionSchema,
  interventionDraftSchema,
  interventionSchema,
  isoDateSchema,
  isoInstantSchema,
  manualEntryDraftSchema,
  siteSchema,
  assetSchema,
  timeEntrySchema,
  voidReasonSchema
} from './entities'
import { uuidv7 } from './ids'

const id = (): string => uuidv7()
const ids = { collectivite: id(), convention: id(), intervention: id() }

const convention = {
  id: ids.convention,
  collectiviteId: ids.collectivite,
  number: '2023SUP001',
  signedOn: '2023-12-15',
  startsOn: '2024-01-01',
  endsOn: '2024-12-31',
  unitsPurchased: 120,
  costEuros: 5400,
  inventoryConventionNumber: '2023INV004',
  policy: { scope: 'intervention' }
}

const entry = {
  id: id(),
  interventionId: ids.intervention,
  technicianId: 'tech-1',
  startedAt: '2024-03-31T09:00:00+02:00',
  endedAt: '2024-03-31T09:20:00+02:00',
  mode: 'onSite',
  source: 'timer',
  createdAt: '2024-03-31T07:20:01Z'
}

/** The custom issue codes attached by the span refinement, if any. */
function spanCodes(result: { success: boolean; error?: { issues: unknown[] } }): unknown[] {
  return (result.error?.issues ?? []).map((i) => (i as { params?: { code?: string } }).params?.code)
}

describe('scalar schemas', () => {
  it('accepts only real ISO dates and offset instants', () => {
    expect(isoDateSchema.safeParse('2024-02-29').success).toBe(true)
    expect(isoDateSchema.safeParse('2023-02-29').success).toBe(false)
    expect(isoInstantSchema.safeParse('2024-03-31T09:00:00+02:00').success).toBe(true)
    expect(isoInstantSchema.safeParse('2024-03-31T09:00:00').success).toBe(false)
    expect(voidReasonSchema.parse('  typo  ')).toBe('typo')
    expect(voidReasonSchema.safeParse('  x ').success).toBe(false)
  })
})

describe('collectiviteSchema', () => {
  it.each(['75056', '2A004', '2B033'])('accepts INSEE %s', (insee) => {
    expect(collectiviteSchema.safeParse({ id: id(), name: 'Ajaccio', insee }).success).toBe(true)
  })

  it.each(['7505', '2C004', 'ABCDE', '750561'])('rejects INSEE %s', (insee) => {
    expect(collectiviteSchema.safeParse({ id: id(), name: 'X', insee }).success).toBe(false)
  })

  it('rejects unknown keys, blank names and bad ids', () => {
    expect(collectiviteSchema.safeParse({ id: id(), name: 'X', mayor: 'Y' }).success).toBe(false)
    expect(collectiviteSchema.safeParse({ id: id(), name: '   ' }).success).toBe(false)
    expect(collectiviteSchema.safeParse({ id: 'not-a-uuid', name: 'X' }).success).toBe(false)
  })
})

describe('conventionSchema', () => {
  it('accepts a one-year agreement', () => {
    expect(conventionSchema.safeParse(convention).success).toBe(true)
    expect(conventionSchema.safeParse({ ...convention, endsOn: '2025-01-01' }).success).toBe(true)
    expect(conventionSchema.safeParse({ ...convention, terminatedOn: null }).success).toBe(true)
  })

  it('rejects an agreement longer than a year', () => {
    const r = conventionSchema.safeParse({ ...convention, endsOn: '2025-01-02' })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toMatch(/at most one year/)
    expect(r.error?.issues[0]?.path).toEqual(['endsOn'])
  })

  it('handles a 29 February start', () => {
    const leap = { ...convention, startsOn: '2024-02-29' }
    expect(conventionSchema.safeParse({ ...leap, endsOn: '2025-02-28' }).success).toBe(true)
    expect(conventionSchema.safeParse({ ...leap, endsOn: '2025-03-01' }).success).toBe(false)
  })

  it.each([
    ['ends before it starts', { endsOn: '2023-12-31' }],
    ['bad number', { number: '23SUP001' }],
    ['lower-case number', { number: '2023sup001' }],
    ['no units', { unitsPurchased: 0 }],
    ['fractional units', { unitsPurchased: 1.5 }],
    ['negative cost', { costEuros: -1 }],
    ['bad policy', { policy: { scope: 'week' } }],
    ['unknown key', { renewal: 'tacit' }]
  ])('rejects %s', (_label, patch) => {
    expect(conventionSchema.safeParse({ ...convention, ...patch }).success).toBe(false)
  })
})

describe('site and asset schemas', () => {
  it('accepts minimal and full records', () => {
    const site = { id: id(), collectiviteId: ids.collectivite, name: 'Mairie' }
    expect(siteSchema.safeParse(site).success).toBe(true)
    const asset = {
      id: id(),
      collectiviteId: ids.collectivite,
      siteId: null,
      name: 'SRV-01',
      category: 'server',
      critical: true,
      os: 'Windows Server 2022',
      addresses: ['192.168.1.10']
    }
    expect(assetSchema.safeParse(asset).success).toBe(true)
    expect(assetSchema.safeParse({ ...asset, category: 'fridge' }).success).toBe(false)
    expect(assetSchema.safeParse({ ...asset, password: 'x' }).success).toBe(false)
  })
})

describe('intervention schemas', () => {
  const draft = {
    collectiviteId: ids.collectivite,
    conventionId: ids.convention,
    kind: 'curative',
    origin: 'phone',
    priority: 'high',
    title: '  Printer offline  '
  }

  it('accepts a draft and trims its title', () => {
    expect(interventionDraftSchema.parse(draft).title).toBe('Printer offline')
    expect(interventionDraftSchema.safeParse({ ...draft, title: '   ' }).success).toBe(false)
    expect(interventionDraftSchema.safeParse({ ...draft, status: 'done' }).success).toBe(false)
  })

  it('fills defaults of a stored intervention', () => {
    const stored = interventionSchema.parse({
      ...draft,
      id: ids.intervention,
      status: 'planned',
      createdBy: 'tech-1',
      createdAt: '2024-03-31T07:00:00Z',
      updatedAt: '2024-03-31T07:00:00Z'
    })
    expect(stored).toMatchObject({ description: '', assetIds: [], seconds: 0, units: 0 })
  })

  it('rejects an unknown kind, status or negative units', () => {
    const base = {
      ...draft,
      id: id(),
      status: 'planned',
      createdBy: 't',
      createdAt: '2024-03-31T07:00:00Z',
      updatedAt: '2024-03-31T07:00:00Z'
    }
    expect(interventionSchema.safeParse({ ...base, kind: 'repair' }).success).toBe(false)
    expect(interventionSchema.safeParse({ ...base, status: 'closed' }).success).toBe(false)
    expect(interventionSchema.safeParse({ ...base, units: -1 }).success).toBe(false)
    expect(interventionSchema.safeParse({ ...base, units: 1.5 }).success).toBe(false)
  })
})

describe('time entry schemas', () => {
  it('accepts a valid entry and a voided one', () => {
    expect(timeEntrySchema.safeParse(entry).success).toBe(true)
    const voided = { ...entry, voidedAt: '2024-03-31T08:00:00Z', voidReason: 'Wrong intervention' }
    expect(timeEntrySchema.safeParse(voided).success).toBe(true)
  })

  it.each([
    ['time.endBeforeStart', '2024-03-31T08:59:59+02:00'],
    ['time.zeroLength', '2024-03-31T09:00:00+02:00'],
    ['time.tooLong', '2024-04-01T09:00:01+02:00']
  ])('reports %s', (code, endedAt) => {
    const r = timeEntrySchema.safeParse({ ...entry, endedAt })
    expect(r.success).toBe(false)
    expect(spanCodes(r)).toContain(code)
    const m = manualEntryDraftSchema.safeParse({
      interventionId: ids.intervention,
      startedAt: entry.startedAt,
      endedAt,
      mode: 'remote'
    })
    expect(spanCodes(m)).toContain(code)
  })

  it('rejects bad dates, modes, sources and unknown keys', () => {
    expect(timeEntrySchema.safeParse({ ...entry, startedAt: 'yesterday' }).success).toBe(false)
    expect(timeEntrySchema.safeParse({ ...entry, mode: 'travel' }).success).toBe(false)
    expect(timeEntrySchema.safeParse({ ...entry, source: 'guess' }).success).toBe(false)
    expect(timeEntrySchema.safeParse({ ...entry, units: 2 }).success).toBe(false)
    expect(timeEntrySchema.safeParse({ ...entry, note: 'x'.repeat(2001) }).success).toBe(false)
  })

  it('accepts a manual draft without the server fields', () => {
    const draft = {
      interventionId: ids.intervention,
      startedAt: '2024-03-31T09:00:00+02:00',
      endedAt: '2024-03-31T10:00:00+02:00',
      mode: 'remote',
      note: 'VPN fix'
    }
    expect(manualEntryDraftSchema.safeParse(draft).success).toBe(true)
    expect(manualEntryDraftSchema.safeParse({ ...draft, source: 'manual' }).success).toBe(false)
  })
})
