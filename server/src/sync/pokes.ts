import type { Db, Queryable } from '../db/db'

/**
 * Pokes travel through PostgreSQL NOTIFY, sent inside the writing transaction (so they are
 * delivered only if it commits). Every server process LISTENs, so a push handled by one process
 * pokes the SSE clients connected to any other process sharing the database. Embedded PGlite
 * delivers its notifications in-process the same way.
 */
export const POKE_CHANNEL = 'carnet_poke'
// NOTIFY payloads are limited to 8000 bytes; past this, poke everyone instead of listing.
const MAX_PAYLOAD = 7000
/** How many municipality ids (39 characters each in JSON) surely fit in MAX_PAYLOAD. */
export const POKE_MAX_COLLECTIVITES = 170

export interface PokePayload {
  /** Municipalities whose rows changed; `null` means "anything may have changed". */
  collectivites: string[] | null
  /** The writer, poked even when only their own rejections changed. */
  technicianId: string | null
  /** A revoked device: every process ends its event streams (nobody is poked). */
  closeDevice?: string
}

/** A poke's NOTIFY payload, within the size NOTIFY allows. */
export function pokeText(payload: PokePayload): string {
  const text = JSON.stringify(payload)
  return text.length > MAX_PAYLOAD ? JSON.stringify({ ...payload, collectivites: null }) : text
}

export async function notifyPoke(q: Queryable, payload: PokePayload): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [POKE_CHANNEL, pokeText(payload)])
}

/** Tells every server process sharing the database to end a revoked device's event streams. */
export async function notifyDeviceClosed(q: Queryable, deviceId: string): Promise<void> {
  const payload: PokePayload = { collectivites: [], technicianId: null, closeDevice: deviceId }
  await q.query('SELECT pg_notify($1, $2)', [POKE_CHANNEL, JSON.stringify(payload)])
}

export interface PokeTarget {
  technicianId: string
  role: 'technician' | 'lead'
  deviceId: string
  poke(): void
  close(): void
}

/** The SSE connections of this process, and who among them a change concerns. */
export class PokeHub {
  private readonly targets = new Set<PokeTarget>()
  private unlisten: (() => Promise<void>) | null = null

  constructor(private readonly db: Db) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(POKE_CHANNEL, (text) => {
      void this.dispatch(text).catch(() => undefined)
    })
  }

  async stop(): Promise<void> {
    for (const target of this.targets) target.close()
    this.targets.clear()
    await this.unlisten?.()
    this.unlisten = null
  }

  add(target: PokeTarget): () => void {
    this.targets.add(target)
    return () => this.targets.delete(target)
  }

  get size(): number {
    return this.targets.size
  }

  /** Closes the event streams of a revoked device at once. */
  closeDevice(deviceId: string): void {
    for (const target of [...this.targets]) {
      if (target.deviceId === deviceId) {
        this.targets.delete(target)
        target.close()
      }
    }
  }

  private async dispatch(text: string): Promise<void> {
    if (this.targets.size === 0) return
    let payload: PokePayload
    try {
      payload = JSON.parse(text) as PokePayload
    } catch {
      payload = { collectivites: null, technicianId: null }
    }
    if (typeof payload.closeDevice === 'string') {
      this.closeDevice(payload.closeDevice)
      return
    }
    const assigned = new Set<string>()
    const technicians = [...this.targets].filter((t) => t.role !== 'lead')
    if (payload.collectivites && payload.collectivites.length > 0 && technicians.length > 0) {
      const { rows } = await this.db.query<{ technician_id: string }>(
        `SELECT DISTINCT technician_id FROM assignments
          WHERE unassigned_at IS NULL
            AND collectivite_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
        [JSON.stringify(payload.collectivites)]
      )
      for (const row of rows) assigned.add(row.technician_id)
    }
    for (const target of this.targets) {
      if (
        payload.collectivites === null ||
        target.role === 'lead' ||
        target.technicianId === payload.technicianId ||
        assigned.has(target.technicianId)
      ) {
        target.poke()
      }
    }
  }
}
