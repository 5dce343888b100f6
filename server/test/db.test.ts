import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { DataDirBusyError } from '../src/db/data-lock'
import { migrate } from '../src/db/migrations'
import { openPglite } from '../src/db/pglite-db'
import { isoDatesConfig, openPostgres, sqlLiteral } from '../src/db/pg-db'
import { isTransientDbError, prepared, preparedName } from '../src/db/db'
import { seededRandom } from '../../src/shared/seeded-random'
import { describeBackends } from './helpers/backends'
import { recordSentQueries } from './helpers/sent-queries'
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
    it('reads dates, UTC instants and any text the same whatever the database DateStyle and client encoding', async () => {
      const url = await backend.newDatabaseUrl()
      if (!url) throw new Error('no database url')
      const admin = await openPostgres(url)
      const name = new URL(url).pathname.slice(1)
      await admin.exec(`ALTER DATABASE ${name} SET DateStyle = 'SQL, DMY'`)
      await admin.exec(`ALTER DATABASE ${name} SET client_encoding = 'LATIN1'`)
      await admin.close()
      // As given; in the form the URL parser refuses (user, no host: host as a parameter); and
      // with options of its own and a password holding a stray `%` (trust auth ignores it).
      const { port, username } = new URL(url)
      const forms = [
        url,
        `postgresql://${username}@/${name}?host=127.0.0.1&port=${port}`,
        `postgresql://${username}:100%off@127.0.0.1:${port}/${name}?options=-c%20search_path=public`
      ]
      for (const form of forms) {
        const db = await openPostgres(form, 2)
        try {
          const read = () =>
            db.query<{ d: string; t: string; style: string; encoding: string; text: string }>(
              `SELECT '2024-02-29'::date AS d, current_setting('DateStyle') AS style,
                      (timestamptz '2024-02-29 10:00:00.5+00' AT TIME ZONE 'UTC')::text AS t,
                      current_setting('client_encoding') AS encoding, $1::text AS text`,
              ['été 😀 \\ Ω']
            )
          // Both pooled connections: the setting is made on each, not once.
          const both = await Promise.all([
            read(),
            db.transaction((tx) => tx.query<{ d: string }>(`SELECT '2024-02-29'::date AS d`))
          ])
          expect(both[0].rows[0]).toMatchObject({ d: '2024-02-29', t: '2024-02-29 10:00:00.5' })
          expect(both[0].rows[0]?.style).toMatch(/^ISO,/)
          // The driver asks for UTF8 at startup, whatever the database says (shared round trips
          // quote literals for it); LATIN1 has no emoji: the query would fail, not garble it.
          expect(both[0].rows[0]).toMatchObject({ encoding: 'UTF8', text: 'été 😀 \\ Ω' })
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
    // Opens a database of its own too: seconds with PGlite on a loaded machine.
  }, 30_000)
})

describeBackends('statements sharing a round trip', (backend) => {
  const INSERT = prepared('INSERT INTO shared_trip (x, s) VALUES ($1, $2) RETURNING x, s')

  it('runs prepared statements with BEGIN, with each other and with COMMIT, all or nothing', async () => {
    // One connection: after the first transaction, INSERT is prepared on it.
    const db = await backend.newDb({ poolSize: 1 })
    await db.exec('CREATE TABLE shared_trip (x int PRIMARY KEY, s text)')
    await db.transaction((tx) => tx.query(INSERT, [1, 'a']))
    const tricky = "l'étage \\ E'\\x41' 😀"
    const out = await db.transaction(async (tx) => {
      const first = await tx.query(INSERT, [2, tricky])
      const both = await tx.queryAll([
        [INSERT, [3, 'c']],
        [INSERT, [4, null]]
      ])
      const last = await tx.commitWith(INSERT, [5, 'e'])
      return [first, ...both, last].map((r) => r.rows[0])
    })
    expect(out).toEqual([
      { x: 2, s: tricky },
      { x: 3, s: 'c' },
      { x: 4, s: null },
      { x: 5, s: 'e' }
    ])
    // A failure anywhere in a shared round trip leaves nothing of its transaction.
    await expect(
      db.transaction(async (tx) => {
        await tx.query(INSERT, [6, 'f'])
        await tx.commitWith(INSERT, [1, 'duplicate'])
      })
    ).rejects.toMatchObject({ code: '23505' })
    await expect(
      db.transaction((tx) =>
        tx.queryAll([
          [INSERT, [7, 'g']],
          [INSERT, [2, 'duplicate']]
        ])
      )
    ).rejects.toMatchObject({ code: '23505' })
    // Nothing runs after commitWith: it would be outside the transaction (PostgreSQL).
    await expect(
      db.transaction(async (tx) => {
        await tx.commitWith(INSERT, [8, 'h'])
        await tx.query(INSERT, [9, 'i'])
      })
    ).rejects.toThrow('transaction already committed')
    // Nor inside a savepoint, which could still roll back what it would commit.
    await expect(
      db.transaction((tx) => tx.savepoint((sp) => sp.commitWith(INSERT, [10, 'j'])))
    ).rejects.toThrow('commitWith inside a savepoint')
    const { rows } = await db.query<{ x: number; s: string | null }>(
      'SELECT x, s FROM shared_trip ORDER BY x'
    )
    expect(rows).toEqual([
      { x: 1, s: 'a' },
      { x: 2, s: tricky },
      { x: 3, s: 'c' },
      { x: 4, s: null },
      { x: 5, s: 'e' },
      { x: 8, s: 'h' }
    ])
  }, 30_000)

  it('carries any text exactly as a literal, whatever standard_conforming_strings says', async () => {
    const db = await backend.newDb({ poolSize: 1 })
    await db.exec('CREATE TABLE shared_trip (x int PRIMARY KEY, s text)')
    await db.transaction((tx) => tx.query(INSERT, [0, 'prepared']))
    const random = seededRandom(11)
    const alphabet = ["'", '\\', '"', 'E', 'é', '😀', ' ', ';', '$', '\n', '\t', '{', '}']
    const texts = Array.from({ length: 300 }, () =>
      Array.from(
        { length: Math.floor(random() * 10) },
        () => alphabet[Math.floor(random() * alphabet.length)]
      ).join('')
    )
    let x = 0
    for (const conforming of ['on', 'off']) {
      // One connection: the setting holds for every transaction that follows.
      await db.exec(`SET standard_conforming_strings = ${conforming}`)
      for (const text of texts) await db.transaction((tx) => tx.query(INSERT, [++x, text]))
    }
    const { rows } = await db.query<{ s: string }>(
      'SELECT s FROM shared_trip WHERE x > 0 ORDER BY x'
    )
    expect(rows.map((r) => r.s)).toEqual([...texts, ...texts])
  }, 30_000)

  if (backend.name === 'postgres') {
    it('stops sharing round trips once an EXECUTE finds its statement gone, and asks for a retry', async () => {
      const db = await backend.newDb({ poolSize: 1 })
      await db.exec('CREATE TABLE shared_trip (x int PRIMARY KEY, s text)')
      const SELECT = prepared('SELECT count(*)::int AS n FROM shared_trip WHERE x > $1')
      await db.transaction(async (tx) => {
        await tx.query(INSERT, [1, 'a'])
        await tx.query(SELECT, [0])
      })
      // What a pooler that renames prepared statements looks like from here.
      await db.exec(`DEALLOCATE ${preparedName(INSERT)}`)
      const failed = await db
        .transaction((tx) => tx.query(INSERT, [2, 'b']))
        .then(
          () => null,
          (error: unknown) => error
        )
      expect(failed).toMatchObject({ code: '26000' })
      expect(isTransientDbError(failed)).toBe(true)
      const sent = recordSentQueries()
      const n = await db.transaction(async (tx) => {
        await tx.query(SELECT, [0])
        return tx.commitWith<{ n: number }>(SELECT, [0])
      })
      vi.restoreAllMocks()
      expect(n.rows).toEqual([{ n: 1 }])
      expect(sent.some((text) => text.includes('EXECUTE'))).toBe(false)
    }, 30_000)
  }
})

describe('SQL literals for a shared round trip', () => {
  it('quotes what it can and refuses what it cannot carry', () => {
    expect(sqlLiteral("l'a")).toBe("'l''a'")
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'")
    expect(sqlLiteral(42)).toBe("'42'")
    expect(sqlLiteral(true)).toBe("'true'")
    expect(sqlLiteral(null)).toBe('NULL')
    expect(sqlLiteral([1, 2, 3])).toBe("'{1,2,3}'")
    // A NUL would end the query text early; anything else goes through binding.
    expect(sqlLiteral('a\u0000b')).toBeNull()
    expect(sqlLiteral(Number.NaN)).toBeNull()
    expect(sqlLiteral([1.5])).toBeNull()
    expect(sqlLiteral(['1'])).toBeNull()
    expect(sqlLiteral({ a: 1 })).toBeNull()
    expect(sqlLiteral(new Uint8Array([1]))).toBeNull()
  })

  it("quotes every string as the driver's escapeLiteral does", () => {
    const random = seededRandom(7)
    const alphabet = ["'", '\\', '"', 'a', 'é', '😀', ' ', ';', '$', '\n', 'E']
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 12)
      const text = Array.from(
        { length },
        () => alphabet[Math.floor(random() * alphabet.length)]
      ).join('')
      expect(sqlLiteral(text), JSON.stringify(text)).toBe(pg.escapeLiteral(text))
    }
  })
})

describe('PostgreSQL connection options', () => {
  it('asks every connection for the ISO DateStyle without rewriting the connection string', () => {
    const plain = 'postgresql://u:100%off@db.example/carnet'
    expect(isoDatesConfig(plain, {})).toEqual({
      connectionString: plain,
      options: '-c DateStyle=ISO'
    })
    // PGOPTIONS is what node-postgres would have used: it is kept, before ours.
    expect(isoDatesConfig(plain, { PGOPTIONS: '-c search_path=x' }).options).toBe(
      '-c search_path=x -c DateStyle=ISO'
    )
    // A string's own options win over the config's in node-postgres: ours are appended there.
    expect(
      isoDatesConfig('postgresql://u@db.example/carnet?options=-c%20search_path%3Dx&ssl=1', {})
    ).toEqual({
      connectionString:
        'postgresql://u@db.example/carnet?options=-c%20search_path%3Dx%20-c%20DateStyle=ISO&ssl=1'
    })
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
