import { addDays } from '../domain/paris-time'
import type {
  Asset,
  Collectivite,
  Convention,
  Intervention,
  InterventionKind,
  Priority,
  Site,
  TimeEntry
} from '../domain/entities'
import type { InterventionStatus } from '../domain/status'
import { secondsFor, unitsFor, type UnitsPolicy } from '../domain/units'
import { seededRandom } from '../seeded-random'

/**
 * Fictional demonstration data, clearly labelled: no real municipality, person or machine. Used
 * on a first run without a server, and (scaled up) by the benchmarks. Deterministic for a seed.
 */
export interface DemoData {
  collectivites: Collectivite[]
  conventions: Convention[]
  sites: Site[]
  assets: Asset[]
  interventions: Intervention[]
  timeEntries: TimeEntry[]
  balances: Array<{ conventionId: string; unitsPurchased: number; unitsConsumed: number }>
}

export interface DemoOptions {
  /** 'YYYY-MM-DD' the agreements' dates are set around. */
  today: string
  interventions?: number
  timeEntries?: number
  seed?: number
  technicianId?: string
}

export const DEMO_TECHNICIAN = { id: 'demo-technicien', name: 'Technicien de démonstration' }

function idMaker(random: () => number): () => string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('')
  return () =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`
}

const TOWNS: Array<{
  name: string
  insee: string
  number: string
  purchased: number
  usedRatio: number
  policy: UnitsPolicy
  endsInDays: number
}> = [
  {
    name: 'Valfleury-sur-Loue (fictive)',
    insee: '99001',
    number: 'SUP001',
    purchased: 120,
    usedRatio: 0.35,
    policy: { scope: 'intervention' },
    endsInDays: 270
  },
  {
    name: 'Saint-Aubin-des-Prés (fictive)',
    insee: '99002',
    number: 'SUP002',
    purchased: 40,
    usedRatio: 0.84,
    policy: { scope: 'entry' },
    endsInDays: 200
  },
  {
    name: 'Roche-Sauve (fictive)',
    insee: '99003',
    number: 'SUP003',
    purchased: 24,
    usedRatio: 1,
    policy: { scope: 'day', graceSeconds: 60 },
    endsInDays: 120
  },
  {
    name: 'Lac-Clair (fictive)',
    insee: '99004',
    number: 'SUP004',
    purchased: 60,
    usedRatio: 0.5,
    policy: { scope: 'intervention', minimumUnits: 1 },
    endsInDays: -12
  }
]

const TITLES: Array<[InterventionKind, string]> = [
  ['preventive', 'Mises à jour de sécurité des postes'],
  ['preventive', 'Vérification des sauvegardes du serveur'],
  ['preventive', 'Mise à jour du pare-feu'],
  ['curative', 'Imprimante de l’accueil hors ligne'],
  ['curative', 'Messagerie du secrétariat inaccessible'],
  ['curative', 'Poste du maire très lent'],
  ['curative', 'Wi-Fi de la médiathèque instable'],
  ['training', 'Formation au logiciel d’état civil'],
  ['training', 'Prise en main des nouveaux portables']
]
const STATUSES: InterventionStatus[] = [
  'planned',
  'inProgress',
  'onHold',
  'done',
  'signed',
  'done',
  'planned'
]
const PRIORITY: Priority[] = ['low', 'normal', 'normal', 'high', 'urgent']

export function generateDemoData(options: DemoOptions): DemoData {
  const random = seededRandom(options.seed ?? 42)
  const id = idMaker(random)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const technicianId = options.technicianId ?? DEMO_TECHNICIAN.id
  const total = options.interventions ?? 14
  const entriesWanted = options.timeEntries ?? total * 2
  const year = options.today.slice(0, 4)
  const data: DemoData = {
    collectivites: [],
    conventions: [],
    sites: [],
    assets: [],
    interventions: [],
    timeEntries: [],
    balances: []
  }

  for (const town of TOWNS) {
    const collectivite: Collectivite = { id: id(), name: town.name, insee: town.insee, demo: true }
    const endsOn = addDays(options.today, town.endsInDays)
    const startsOn = addDays(endsOn, -364)
    const convention: Convention = {
      id: id(),
      collectiviteId: collectivite.id,
      number: `${year}${town.number}`,
      signedOn: startsOn,
      startsOn,
      endsOn,
      unitsPurchased: town.purchased,
      policy: town.policy,
      demo: true
    }
    const site: Site = {
      id: id(),
      collectiviteId: collectivite.id,
      name: 'Mairie',
      address: '1 place de la Mairie'
    }
    const school: Site = { id: id(), collectiviteId: collectivite.id, name: 'École primaire' }
    data.collectivites.push(collectivite)
    data.conventions.push(convention)
    data.sites.push(site, school)
    data.assets.push(
      {
        id: id(),
        collectiviteId: collectivite.id,
        siteId: site.id,
        name: 'SRV-MAIRIE-01',
        category: 'server',
        critical: true,
        os: 'Debian 12',
        addresses: ['192.0.2.10']
      },
      {
        id: id(),
        collectiviteId: collectivite.id,
        siteId: site.id,
        name: 'Pare-feu mairie',
        category: 'network',
        critical: true,
        addresses: ['192.0.2.1']
      },
      {
        id: id(),
        collectiviteId: collectivite.id,
        siteId: site.id,
        name: 'PC-ACCUEIL',
        category: 'workstation',
        critical: false,
        os: 'Windows 11'
      },
      {
        id: id(),
        collectiviteId: collectivite.id,
        siteId: school.id,
        name: 'Imprimante école',
        category: 'printer',
        critical: false
      }
    )
  }

  const entriesPer = Math.max(0, Math.round(entriesWanted / Math.max(1, total)))
  for (let i = 0; i < total; i++) {
    const c = data.conventions[i % data.conventions.length] as Convention
    const [kind, title] = pick(TITLES)
    const status = pick(STATUSES)
    const created = new Date(
      `${addDays(options.today, -Math.floor(random() * 90) - 1)}T08:00:00Z`
    ).getTime()
    const intervention: Intervention = {
      id: id(),
      collectiviteId: c.collectiviteId,
      conventionId: c.id,
      kind,
      origin:
        kind === 'curative'
          ? pick(['request', 'phone', 'email'] as const)
          : kind === 'preventive'
            ? 'maintenancePlan'
            : 'technician',
      priority: pick(PRIORITY),
      status,
      title: total > TITLES.length ? `${title} n°${i + 1}` : title,
      description: 'Intervention fictive de démonstration.',
      siteId: null,
      assetIds: [],
      scheduledFor: status === 'planned' ? addDays(options.today, 1 + (i % 20)) : null,
      createdBy: technicianId,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(created).toISOString(),
      seconds: 0,
      units: 0
    }
    const entries: TimeEntry[] = []
    if (status !== 'planned') {
      for (let e = 0; e < entriesPer; e++) {
        const start = created + e * 3 * 3600_000 + Math.floor(random() * 3600) * 1000
        const minutes = 5 + Math.floor(random() * 70)
        entries.push({
          id: id(),
          interventionId: intervention.id,
          technicianId,
          startedAt: new Date(start).toISOString(),
          endedAt: new Date(
            start + minutes * 60_000 + Math.floor(random() * 60) * 1000
          ).toISOString(),
          mode: random() < 0.5 ? 'onSite' : 'remote',
          source: random() < 0.7 ? 'timer' : 'manual',
          assetId: null,
          createdAt: new Date(start).toISOString(),
          voidedAt: null,
          voidReason: null
        })
      }
    }
    intervention.seconds = secondsFor(entries)
    intervention.units = unitsFor(entries, c.policy)
    data.interventions.push(intervention)
    data.timeEntries.push(...entries)
  }

  for (const [index, c] of data.conventions.entries()) {
    const town = TOWNS[index] as (typeof TOWNS)[number]
    const fromInterventions = data.interventions
      .filter((i) => i.conventionId === c.id)
      .reduce((sum, i) => sum + i.units, 0)
    const target = Math.round(c.unitsPurchased * town.usedRatio)
    data.balances.push({
      conventionId: c.id,
      unitsPurchased: c.unitsPurchased,
      unitsConsumed: Math.max(target, fromInterventions)
    })
  }
  return data
}
