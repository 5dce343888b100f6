/* eslint-disable @typescript-eslint/no-explicit-any -- tests probe JSON response bodies loosely */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../src/cli'
import { openDatabase } from '../src/db/open'
import { describeBackends } from './helpers/backends'
import { applyOps, m, makeWorld } from './helpers/harness'

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(serverDir, 'bin', 'carnet-server.js')

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env })
  let json: any = null
  if (args.includes('--json') && out.length > 0) json = JSON.parse(out[out.length - 1]!)
  return { code, out, err, json }
}

describeBackends('carnet-server CLI (in-process)', (backend) => {
  let dir: string
  let env: NodeJS.ProcessEnv
  let data: string[]
  let url: string | null = null
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'))
    url = await backend.newDatabaseUrl()
    env = url ? { DATABASE_URL: url } : {}
    data = url ? [] : ['--data', join(dir, 'data')]
  }, 60_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('creates technicians, municipalities, agreements and assignments, printing ids', async () => {
    expect((await cli(['migrate', '--json', ...data], env)).code).toBe(0)
    const tech = await cli(
      [
        'create-technician',
        '--email',
        'Jo@Example.test',
        '--name',
        'Jo',
        '--password',
        'a long password',
        '--role',
        'technician',
        '--json',
        ...data
      ],
      env
    )
    expect(tech.code).toBe(0)
    expect(tech.json.id).toMatch(/^[0-9a-f-]{36}$/)
    const dup = await cli(
      [
        'create-technician',
        '--email',
        'jo@example.test',
        '--name',
        'Jo',
        '--password',
        'a long password',
        '--role',
        'lead',
        '--json',
        ...data
      ],
      env
    )
    expect(dup.code).toBe(1)
    expect(JSON.parse(dup.err[0]!).error.code).toBe('technician.exists')
    const coll = await cli(
      ['create-collectivite', '--name', 'Valfleury', '--insee', '99001', '--json', ...data],
      env
    )
    const conv = await cli(
      [
        'create-convention',
        '--collectivite',
        coll.json.id,
        '--number',
        '2025SUP001',
        '--units',
        '120',
        '--starts',
        '2025-01-01',
        '--ends',
        '2025-12-31',
        '--scope',
        'day',
        '--json',
        ...data
      ],
      env
    )
    expect(conv.code).toBe(0)
    const tooLong = await cli(
      [
        'create-convention',
        '--collectivite',
        coll.json.id,
        '--number',
        '2025SUP002',
        '--units',
        '120',
        '--starts',
        '2025-01-01',
        '--ends',
        '2026-06-30',
        '--json',
        ...data
      ],
      env
    )
    expect(tooLong.code).toBe(1)
    expect(JSON.parse(tooLong.err[0]!).error.message).toMatch(/at most one year/)
    const assigned = await cli(
      ['assign', '--technician', tech.json.id, '--collectivite', coll.json.id, '--json', ...data],
      env
    )
    expect(assigned.json.id).toMatch(/^[0-9a-f-]{36}$/)
    const again = await cli(
      ['assign', '--technician', tech.json.id, '--collectivite', coll.json.id, '--json', ...data],
      env
    )
    expect(again.json.id).toBe(assigned.json.id)
    expect(
      (
        await cli(
          [
            'unassign',
            '--technician',
            tech.json.id,
            '--collectivite',
            coll.json.id,
            '--json',
            ...data
          ],
          env
        )
      ).json.id
    ).toBe(assigned.json.id)
    expect(
      (
        await cli(
          [
            'unassign',
            '--technician',
            tech.json.id,
            '--collectivite',
            coll.json.id,
            '--json',
            ...data
          ],
          env
        )
      ).code
    ).toBe(1)
    const usage = await cli(['create-collectivite', '--json', ...data], env)
    expect(usage.code).toBe(2)
    expect((await cli(['frobnicate', ...data], env)).code).toBe(2)
  }, 60_000)

  it('rotate-epoch gives the database a new id each time', async () => {
    const first = await cli(['rotate-epoch', '--json', ...data], env)
    expect(first.code).toBe(0)
    expect(first.json.databaseId).toMatch(/^[0-9a-f-]{36}$/)
    const second = await cli(['rotate-epoch', ...data], env)
    expect(second.code).toBe(0)
    expect(second.out.join('\n')).toMatch(/every client rebuilds its copy/)
    expect(second.out.join('\n')).not.toContain(first.json.databaseId)
  }, 60_000)

  it('conflicts lists the values concurrent edits overwrote, newest first', async () => {
    expect((await cli(['migrate', ...data], env)).code).toBe(0)
    // Two technicians edit the same intervention from the same version, through the server.
    const db = await openDatabase(url ? { databaseUrl: url } : { dataDir: join(dir, 'data') })
    let interventionId = ''
    try {
      const w = await makeWorld(db)
      const first = await w.user('technician', 'Première')
      const second = await w.user('technician', 'Second')
      const place = await w.municipality('Commune en conflit')
      await w.assign(first, place.collectiviteId)
      await w.assign(second, place.collectiviteId)
      const create = m.createIntervention(place)
      interventionId = create.args.id
      await w.push(first, [create])
      const rows = applyOps((await w.pullAll(first)).ops)
      const base = rows.get('interventions')?.get(interventionId).version as number
      await w.push(first, [m.update(interventionId, base, { title: 'Titre de A' })])
      await w.push(second, [m.update(interventionId, base, { title: 'Titre de B' })])
      await w.push(first, [m.update(interventionId, base, { notes: 'sans conflit' })])
      await w.push(first, [m.update(interventionId, base, { title: 'Titre de A, encore' })])
      await w.close()
    } finally {
      await db.close()
    }

    const listed = await cli(['conflicts', '--json', ...data], env)
    expect(listed.code).toBe(0)
    expect(listed.json.conflicts).toMatchObject([
      {
        interventionId,
        collectivite: 'Commune en conflit',
        field: 'title',
        oldValue: 'Titre de B',
        oldWrittenBy: { name: 'Second' },
        newValue: 'Titre de A, encore',
        writtenBy: { name: 'Première' }
      },
      {
        field: 'title',
        oldValue: 'Titre de A',
        oldWrittenBy: { name: 'Première' },
        newValue: 'Titre de B',
        writtenBy: { name: 'Second' }
      }
    ])
    expect(listed.json.conflicts[0].at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/)
    expect(listed.json.conflicts[0].version).toBeGreaterThan(listed.json.conflicts[1].version)

    const one = await cli(
      ['conflicts', '--intervention', interventionId, '--limit', '1', ...data],
      env
    )
    expect(one.code).toBe(0)
    expect(one.out.join('\n')).toMatch(
      /title: "Titre de B" by Second \(version \d+\) replaced by "Titre de A, encore" by Première/
    )
    expect(one.out.join('\n')).not.toContain('"Titre de A" by')

    const none = await cli(['conflicts', '--intervention', randomUUID(), ...data], env)
    expect(none.out).toEqual(['No overwritten value logged.'])
    const bad = await cli(['conflicts', '--intervention', 'nope', '--json', ...data], env)
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.err[0]!).error.code).toBe('validation.failed')
    expect((await cli(['conflicts', '--limit', '0', ...data], env)).code).toBe(2)
    expect((await cli(['conflicts', '--intervention', '', ...data], env)).code).toBe(1)
  }, 60_000)

  it('seed-demo is idempotent and prints the demo passwords', async () => {
    const first = await cli(['seed-demo', '--json', ...data], env)
    expect(first.code).toBe(0)
    expect(first.json).toMatchObject({
      technician: { email: 'demo@carnet.example', created: true },
      lead: { email: 'lead@carnet.example', created: true }
    })
    expect(first.json.technician.password.length).toBeGreaterThan(8)
    const second = await cli(['seed-demo', ...data], env)
    expect(second.code).toBe(0)
    expect(second.out.join('\n')).toMatch(/password unchanged/)
    expect(second.out.join('\n')).toMatch(/fictional/)
  }, 60_000)
})

describe('carnet-server binary', () => {
  let dir: string
  let server: ChildProcess | null = null
  beforeAll(() => {
    // The built CLI is what users run: build it from the current sources.
    const build = spawnSync(
      'npx',
      ['vite', 'build', '--config', 'vite.config.ts', '--logLevel', 'error'],
      { cwd: serverDir, encoding: 'utf8' }
    )
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`)
    dir = mkdtempSync(join(tmpdir(), 'carnet-bin-'))
  }, 120_000)
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves on a free port with an embedded database and refuses a second process on it', async () => {
    const seeded = spawnSync(process.execPath, [bin, 'seed-demo', '--json', '--data', dir], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' }
    })
    expect(seeded.status).toBe(0)
    expect(JSON.parse(seeded.stdout).technician.email).toBe('demo@carnet.example')
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--port', '0', '--json', '--quiet', '--data', dir],
      { env: { ...process.env, DATABASE_URL: '' } }
    )
    server = child
    const listening = await new Promise<string>((done, fail) => {
      let out = ''
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const line = out.split('\n').find((l) => l.includes('listening'))
        if (line) done(JSON.parse(line).listening)
      })
      child.once('exit', (code) => fail(new Error(`serve exited ${code}`)))
    })
    const health = await fetch(`${listening}/api/v1/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true })
    const login = await fetch(`${listening}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'demo@carnet.example',
        password: JSON.parse(seeded.stdout).technician.password,
        deviceName: 'test'
      })
    })
    expect(login.status).toBe(200)
    const busy = spawnSync(
      process.execPath,
      [bin, 'create-collectivite', '--name', 'X', '--json', '--data', dir],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } }
    )
    expect(busy.status).toBe(1)
    expect(JSON.parse(busy.stderr).error).toMatchObject({ code: 'data.busy' })
    const exited = new Promise<number | null>((done) => child.once('exit', done))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const after = spawnSync(
      process.execPath,
      [bin, 'create-collectivite', '--name', 'X', '--json', '--data', dir],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } }
    )
    expect(after.status).toBe(0)
  }, 120_000)
})
