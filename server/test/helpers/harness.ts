/* eslint-disable @typescript-eslint/no-explicit-any -- tests probe JSON response bodies loosely */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { LoginResponse, PullResponse, Role } from '../../../src/shared/sync/protocol'
import {
  assign,
  createCollectivite,
  createConvention,
  createTechnician
} from '../../src/admin/commands'
import { DEFAULT_CONFIG, type ServerConfig } from '../../src/config'
import type { Db } from '../../src/db/db'
import { buildApp } from '../../src/http/app'

/** Fast settings for tests: cheap scrypt, generous device limit. */
export const TEST_CONFIG: ServerConfig = {
  ...DEFAULT_CONFIG,
  scryptLogN: 10,
  deviceBurst: 100_000,
  deviceRatePerSecond: 100_000,
  keepaliveMs: 60_000
}

export interface Caller {
  technicianId: string
  token: string
  login: LoginResponse
  clientGroupId: string
  clientId: string
  nextMutationId: number
}

export interface World {
  db: Db
  app: FastifyInstance
  /** The config object the app was built with (per-instance state hangs off it). */
  config: ServerConfig
  close(): Promise<void>
  /** Creates a technician (or lead) and signs them in. */
  user(role?: Role, name?: string): Promise<Caller>
  municipality(name?: string): Promise<{ collectiviteId: string; conventionId: string }>
  assign(caller: Caller, collectiviteId: string): Promise<void>
  request(
    method: string,
    url: string,
    body?: unknown,
    token?: string,
    headers?: Record<string, string>
  ): Promise<{ status: number; json: any; headers: Record<string, unknown> }>
  push(
    caller: Caller,
    mutations: Array<{ name: string; args: unknown }>,
    extra?: { ids?: number[] }
  ): Promise<{ status: number; json: any; headers: Record<string, unknown> }>
  pull(caller: Caller, cookie: string | null): Promise<PullResponse>
  /** Pulls every page from a null cookie (or the given one) and returns the ops in order. */
  pullAll(
    caller: Caller,
    cookie?: string | null
  ): Promise<{ ops: PullResponse['ops']; cookie: string; pages: PullResponse[] }>
}

let conventionCounter = 0

export async function makeWorld(db: Db, config: Partial<ServerConfig> = {}): Promise<World> {
  const full = { ...TEST_CONFIG, ...config }
  const { app } = await buildApp(db, full)
  await app.ready()
  const world: World = {
    db,
    app,
    config: full,
    async close() {
      await app.close()
    },
    async user(role = 'technician', name = 'Test user') {
      const email = `${randomUUID()}@example.test`
      const password = 'correct horse battery'
      const technicianId = await createTechnician(db, { email, name, password, role }, 10)
      const res = await world.request('POST', '/api/v1/auth/login', {
        email,
        password,
        deviceName: 'test laptop'
      })
      if (res.status !== 200)
        throw new Error(`login failed ${res.status} ${JSON.stringify(res.json)}`)
      return {
        technicianId,
        token: res.json.accessToken,
        login: res.json,
        clientGroupId: randomUUID(),
        clientId: randomUUID(),
        nextMutationId: 1
      }
    },
    async municipality(name = 'Commune test') {
      const collectiviteId = await createCollectivite(db, { name })
      const number = `2025TST${String(++conventionCounter % 1000).padStart(3, '0')}`
      const conventionId = await createConvention(db, {
        collectiviteId,
        number: `${number.slice(0, 4)}${'ABCDEF'.charAt(Math.floor(conventionCounter / 1000))}${number.slice(4)}`,
        unitsPurchased: 100,
        startsOn: '2025-01-01',
        endsOn: '2025-12-31'
      })
      return { collectiviteId, conventionId }
    },
    async assign(caller, collectiviteId) {
      await assign(db, caller.technicianId, collectiviteId)
    },
    async request(method, url, body, token, headers = {}) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? {
                payload: body,
                headers: {
                  'content-type': 'application/json',
                  ...(token ? { authorization: `Bearer ${token}` } : {}),
                  ...headers
                }
              }
            : { payload: body as object })
      })
      let json: unknown = null
      try {
        json = res.body ? JSON.parse(res.body) : null
      } catch {
        json = res.body
      }
      return { status: res.statusCode, json, headers: res.headers }
    },
    async push(caller, mutations, extra = {}) {
      const body = {
        protocolVersion: 1,
        schemaVersion: 1,
        clientGroupId: caller.clientGroupId,
        clientId: caller.clientId,
        mutations: mutations.map((m, i) => ({
          id: extra.ids?.[i] ?? caller.nextMutationId + i,
          name: m.name,
          args: m.args,
          clientTime: new Date().toISOString()
        }))
      }
      const res = await world.request('POST', '/api/v1/sync/push', body, caller.token)
      if (res.status === 200 && !extra.ids) caller.nextMutationId = res.json.lastMutationId + 1
      return res
    },
    async pull(caller, cookie) {
      const res = await world.request(
        'POST',
        '/api/v1/sync/pull',
        { protocolVersion: 1, schemaVersion: 1, clientGroupId: caller.clientGroupId, cookie },
        caller.token
      )
      if (res.status !== 200)
        throw new Error(`pull failed ${res.status} ${JSON.stringify(res.json)}`)
      return res.json as PullResponse
    },
    async pullAll(caller, cookie = null) {
      const pages: PullResponse[] = []
      let current = cookie
      for (;;) {
        const page = await world.pull(caller, current)
        pages.push(page)
        current = page.cookie
        if (!page.more) break
        if (pages.length > 1000) throw new Error('pull never ends')
      }
      return { ops: pages.flatMap((p) => p.ops), cookie: current ?? '', pages }
    }
  }
  return world
}

/** Mutation builders with sensible defaults. */
export const m = {
  createIntervention(
    place: { collectiviteId: string; conventionId: string },
    extra: Record<string, unknown> = {}
  ) {
    return {
      name: 'intervention.create.v1',
      args: { id: randomUUID(), ...place, kind: 'curative', title: 'Imprimante en panne', ...extra }
    }
  },
  addEntry(
    interventionId: string,
    startedAt: string,
    minutes: number,
    extra: Record<string, unknown> = {}
  ) {
    return {
      name: 'timeEntry.add.v1',
      args: {
        id: randomUUID(),
        interventionId,
        startedAt,
        endedAt: new Date(Date.parse(startedAt) + minutes * 60_000).toISOString(),
        mode: 'onSite',
        source: 'manual',
        ...extra
      }
    }
  },
  setStatus(id: string, status: string) {
    return { name: 'intervention.setStatus.v1', args: { id, status } }
  },
  update(id: string, baseVersion: number, fields: Record<string, unknown>) {
    return { name: 'intervention.update.v1', args: { id, baseVersion, fields } }
  },
  void(id: string, reason = 'Saisie en double') {
    return { name: 'timeEntry.void.v1', args: { id, reason } }
  },
  remoteSession(assetId: string, extra: Record<string, unknown> = {}) {
    return {
      name: 'remoteSession.log.v1',
      args: {
        id: randomUUID(),
        assetId,
        protocol: 'rdp',
        startedAt: '2025-03-03T09:00:00.000Z',
        endedAt: '2025-03-03T09:20:00.000Z',
        outcome: 'ended',
        ...extra
      }
    }
  }
}

/** The rows a pull's ops leave in a fresh local copy, by table then key. */
export function applyOps(ops: PullResponse['ops'], into = new Map<string, Map<string, any>>()) {
  for (const op of ops) {
    const table = into.get(op.table) ?? new Map<string, any>()
    into.set(op.table, table)
    if (op.op === 'put') table.set(op.key, op.value)
    else table.delete(op.key)
  }
  return into
}
