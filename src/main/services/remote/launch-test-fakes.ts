import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Stand-ins for client programs (xfreerdp, mstsc, cmdkey, vncviewer) used by the launcher tests
 * on any machine: each is a tiny Node script that records its argv, its stdin and the files its
 * argv names (content and mode) into `<dir>/<name>.<n>.json`, then exits with FAKE_EXIT or, when
 * FAKE_WAIT is set (and FAKE_WAIT_ONLY is unset or names it), runs until it is killed.
 */
export interface FakeRecord {
  argv: string[]
  stdin: string
  files: Record<string, { mode: number; content: string }>
}

export interface FakeBin {
  dir: string
  add(name: string): string
  records(name: string): FakeRecord[]
  remove(): void
}

const SCRIPT = `
const fs = require('node:fs')
const path = require('node:path')
const name = path.basename(process.argv[1])
const files = {}
for (const a of process.argv.slice(2)) {
  const p = a.replace(/^\\/?[a-z]+:/i, '')
  for (const c of [a, p]) {
    if (c.startsWith('/') && fs.existsSync(c) && fs.statSync(c).isFile()) {
      files[c] = { mode: fs.statSync(c).mode & 0o777, content: fs.readFileSync(c).toString('hex') }
    }
  }
}
const chunks = []
const done = () => {
  const rec = { argv: process.argv.slice(2), stdin: Buffer.concat(chunks).toString(), files }
  let n = 0
  while (fs.existsSync(path.join(__dirname, name + '.' + n + '.json'))) n++
  fs.writeFileSync(path.join(__dirname, name + '.' + n + '.json'), JSON.stringify(rec))
  const waits = process.env.FAKE_WAIT && [undefined, name].includes(process.env.FAKE_WAIT_ONLY)
  if (waits) setInterval(() => undefined, 1000)
  else process.exit(Number(process.env.FAKE_EXIT || 0))
}
const st = fs.fstatSync(0)
if (st.isFIFO() || st.isSocket()) {
  process.stdin.on('data', (c) => chunks.push(c))
  process.stdin.on('end', done)
} else done()
`

export function createFakeBin(): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-fakebin-'))
  return {
    dir,
    add(name) {
      const file = join(dir, name)
      writeFileSync(file, `#!${process.execPath}\n${SCRIPT}`)
      chmodSync(file, 0o755)
      return file
    },
    records(name) {
      const out: FakeRecord[] = []
      for (let n = 0; existsSync(join(dir, `${name}.${n}.json`)); n++) {
        out.push(JSON.parse(readFileSync(join(dir, `${name}.${n}.json`), 'utf8')) as FakeRecord)
      }
      return out
    },
    remove() {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Polls `check` until it returns a truthy value; no fixed sleeps in tests. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
