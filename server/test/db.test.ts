import { describe, expect, it } from 'vitest'
import { DataDirBusyError } from '../src/db/data-lock'
import { migrate } from '../src/db/migrations'
import { openPglite } from '../src/db/pglite-db'
import { openPostgres, withIsoDates } from '../src/db/pg-db'
import { describeBackends } from './helpers/backends'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

describeBackends('database layer', (backend) => {
  it('migrates once and parses int8/date/jsonb the same way', async () => {
    const db = await backend.newDb()
    expect(await migrate(db)).toEqual([])
    const { rows } = await db.query<{ v: number; d: string; j: unknown }>(
      `SELECT 9007199254740991::int8 AS v, '2024-02-29'::date AS d, '{"a":[1]}'::jsonb AS j`
    )
    expect(rows[0]).toEqual({ v: 9007199254740991, d: '2024-02-29', j: { a: [1] } })
    // Opening a PGlite database takes seconds on a loaded machine.
  }, 30_000)

  if (backend.name === 'postgres') {
    it('reads dates and UTC instants the same whatever the database DateStyle', async () => {
      const url = await backend.newDatabaseUrl()
      if (!url) throw new Error('no database url')
      const admin = await openPostgres(url)
      const name = new URL(url).pathname.slice(1)
      await admin.exec(`ALTER DATABASE ${name} SET DateStyle = 'SQL, DMY'`)
      await admin.close()
      // As given, and in the form the URL parser refuses (user, no host: host as a parameter).
      const { port, username } = new URL(url)
      const forms = [url, `postgresql://${username}@/${name}?host=127.0.0.1&port=${port}`]
      for (const form of forms) {
        const db = await openPostgres(form, 2)
        try {
          const read = () =>
            db.query<{ d: string; t: string; style: string }>(
              `SELECT '2024-02-29'::date AS d, current_setting('DateStyle') AS style,
                      (timestamptz '2024-02-29 10:00:00.5+00' AT TIME ZONE 'UTC')::text AS t`
            )
          // Both pooled connections: the setting is made on each, not once.
          const both = await Promise.all([
            read(),
            db.transaction((tx) => tx.query<{ d: string }>(`SELECT '2024-02-29'::date AS d`))
          ])
          expect(both[0].rows[0]).toMatchObject({ d: '2024-02-29', t: '2024-02-29 10:00:00.5' })
          expect(both[0].rows[0]?.style).toMatch(/^ISO,/)
          expect(both[1].rows[0]).toEqual({ d: '2024-02-29' })
        } finally {
          await db.close()
        }
      }
    })
  }

  it('rolls back a savepoint alone and a failed transaction entirely', async () => {
    const db = await backend.newDb()
    await db.exec('CREATE TABLE t (x int PRIMARY KEY)')
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)')
      await expect(
        tx.savepoint(async (sp) => {
          await sp.query('INSERT INTO t VALUES (2)')
          await sp.query('INSERT INTO t VALUES (1)')
        })
      ).rejects.toThrow()
      await tx.query('INSERT INTO t VALUES (3)')
    })
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (4)')
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    const { rows } = await db.query<{ x: number }>('SELECT x FROM t ORDER BY x')
    expect(rows.map((r) => r.x)).toEqual([1, 3])
  })
})

describe('PostgreSQL connection options', () => {
  it('adds the ISO DateStyle to the startup options, keeping those of the connection string', () => {
    const options = (url: string) => new URL(withIsoDates(url)).searchParams.get('options')
    expect(options('postgresql://u@127.0.0.1:5432/carnet')).toBe('-c DateStyle=ISO')
    expect(options('postgresql://u@db.example/carnet?options=-c%20search_path%3Dx')).toBe(
      '-c search_path=x -c DateStyle=ISO'
    )
    // Left to node-postgres (the pool's own options then apply).
    expect(withIsoDates('postgresql://u@/carnet?host=/run/pg')).toBe(
      'postgresql://u@/carnet?host=/run/pg'
    )
  })
})

describe('embedded data folder', () => {
  it('refuses a second opener while the first holds the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-lock-'))
    try {
      const first = await openPglite(dir)
      await expect(openPglite(dir)).rejects.toBeInstanceOf(DataDirBusyError)
      await first.close()
      const again = await openPglite(dir)
      await again.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
