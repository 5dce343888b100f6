import { randomUUID } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import type { PullResponse } from '../src/shared/sync/protocol'
import { serverBench, type EntryArgs, type Seeded } from './server-deps'

export interface Reply<T = unknown> {
  status: number
  json: T
  ms: number
  bytes: number
  /** The body as received. */
  text: string
}

/** A loopback JSON client on keep-alive sockets (cheaper per request than fetch). */
export class HttpClient {
  private readonly agent: Agent
  constructor(
    private readonly base: string,
    sockets = 16
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets })
  }

  post<T = unknown>(path: string, body: unknown, token?: string): Promise<Reply<T>> {
    const payload = Buffer.from(JSON.stringify(body))
    const url = new URL(path, this.base)
    const t0 = performance.now()
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            ...(token ? { authorization: `Bearer ${token}` } : {})
          }
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString()
            const ms = performance.now() - t0
            try {
              resolve({
                status: res.statusCode ?? 0,
                json: JSON.parse(text) as T,
                ms,
                bytes: text.length,
                text
              })
            } catch (error) {
              reject(
                new Error(`${path}: ${res.statusCode} not JSON: ${text.slice(0, 200)} ${error}`)
              )
            }
          })
          res.on('error', reject)
        }
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** One signed-in device with its own client ids and mutation counter. */
export interface Device {
  token: string
  clientGroupId: string
  clientId: string
  next: number
}

export async function login(http: HttpClient, seeded: Seeded, name: string): Promise<Device> {
  const res = await http.post<{ accessToken?: string }>('/api/v1/auth/login', {
    email: seeded.email,
    password: seeded.password,
    deviceName: name
  })
  if (res.status !== 200 || !res.json.accessToken)
    throw new Error(`login ${res.status} ${JSON.stringify(res.json)}`)
  return {
    token: res.json.accessToken,
    clientGroupId: randomUUID(),
    clientId: randomUUID(),
    next: 1
  }
}

/** POSTs a push and checks that every mutation was applied. */
export async function push(http: HttpClient, device: Device, args: EntryArgs[]) {
  const body = serverBench.pushBody(device, args)
  const res = await http.post<{ lastMutationId?: number }>('/api/v1/sync/push', body, device.token)
  if (res.status !== 200 || res.json.lastMutationId !== device.next - 1)
    throw new Error(`push ${res.status} ${JSON.stringify(res.json)}`)
  return res
}

/** Pulls every page from a fresh client group; returns the page bodies as received. */
export async function pullAll(http: HttpClient, device: Device) {
  const pages: Array<Reply<PullResponse>> = []
  const clientGroupId = randomUUID()
  let cookie: string | null = null
  for (let i = 0; i < 1000; i++) {
    const res: Reply<PullResponse> = await http.post<PullResponse>(
      '/api/v1/sync/pull',
      { protocolVersion: 1, schemaVersion: 1, clientGroupId, cookie },
      device.token
    )
    if (res.status !== 200) throw new Error(`pull ${res.status} ${JSON.stringify(res.json)}`)
    pages.push(res)
    cookie = res.json.cookie
    if (!res.json.more) return pages
  }
  throw new Error('pull never ended')
}
