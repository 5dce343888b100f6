import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CLI = join(__dirname, '../../../server/bin/carnet-server.js')

/** Runs one admin command of the real CLI on the embedded database; returns its JSON answer. */
export function admin(dataDir: string, ...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [CLI, ...args, '--data', dataDir, '--json'], {
    encoding: 'utf8'
  })
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
}

export interface Fixture {
  dataDir: string
  alpha: string
  beta: string
  techA: { id: string; email: string; password: string }
  techB: { id: string; email: string; password: string }
  lead: { id: string; email: string; password: string }
}

/** A fresh server database: two technicians share Alpha; only B works for Beta. */
export function seedFixture(): Fixture {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-server-'))
  admin(dataDir, 'migrate')
  const person = (email: string, name: string, role: string) => {
    const password = `motdepasse-${email.split('@')[0]}-2026`
    const { id } = admin(
      dataDir,
      'create-technician',
      '--email',
      email,
      '--name',
      name,
      '--password',
      password,
      '--role',
      role
    )
    return { id: String(id), email, password }
  }
  const techA = person('alice@carnet.test', 'Alice Technicienne', 'technician')
  const techB = person('bruno@carnet.test', 'Bruno Technicien', 'technician')
  const lead = person('lea@carnet.test', 'Léa Cheffe de projet', 'lead')
  const alpha = String(
    admin(dataDir, 'create-collectivite', '--name', 'Test-Alpha (fictive)', '--insee', '99101').id
  )
  const beta = String(
    admin(dataDir, 'create-collectivite', '--name', 'Test-Beta (fictive)', '--insee', '99102').id
  )
  const year = new Date().getUTCFullYear()
  for (const [id, number] of [
    [alpha, `${year}TST001`],
    [beta, `${year}TST002`]
  ] as const) {
    admin(
      dataDir,
      'create-convention',
      '--collectivite',
      id,
      '--number',
      number,
      '--units',
      '100',
      '--starts',
      `${year}-01-01`,
      '--ends',
      `${year}-12-31`
    )
  }
  admin(dataDir, 'assign', '--technician', techA.id, '--collectivite', alpha)
  admin(dataDir, 'assign', '--technician', techB.id, '--collectivite', alpha)
  admin(dataDir, 'assign', '--technician', techB.id, '--collectivite', beta)
  return { dataDir, alpha, beta, techA, techB, lead }
}

export interface RunningServer {
  url: string
  stop(): Promise<void>
}

/** `carnet-server serve` on a free loopback port, with the test hooks enabled. */
export async function serve(dataDir: string, port = 0): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--data', dataDir, '--json', '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CARNET_TEST_HOOKS: '1' }
    }
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /"listening":"([^"]+)"/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
    child.once('exit', (code) => reject(new Error(`carnet-server exited (${code}): ${out}`)))
  })
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}

export function removeData(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true })
}

/** Reads the server's view as the lead (sees everything): what reached it, once. */
export async function serverSnapshot(url: string, lead: { email: string; password: string }) {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: lead.email, password: lead.password, deviceName: 'e2e check' })
  })
  const { accessToken } = (await login.json()) as { accessToken: string }
  const rows: Record<string, Map<string, Record<string, unknown>>> = {}
  let cookie: string | null = null
  const clientGroupId = crypto.randomUUID()
  for (;;) {
    const response = await fetch(`${url}/api/v1/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ protocolVersion: 1, schemaVersion: 1, clientGroupId, cookie })
    })
    const page = (await response.json()) as {
      cookie: string
      more: boolean
      ops: Array<{ op: string; table: string; key: string; value?: Record<string, unknown> }>
    }
    for (const op of page.ops) {
      rows[op.table] ??= new Map()
      if (op.op === 'put' && op.value) rows[op.table]!.set(op.key, op.value)
      else rows[op.table]!.delete(op.key)
    }
    cookie = page.cookie
    if (!page.more) break
  }
  return rows
}
