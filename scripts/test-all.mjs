#!/usr/bin/env node
// `npm test`: lint, type-check, unit/integration (Vitest, the server's suites on PGlite and on
// a throwaway PostgreSQL cluster), build, e2e (Playwright in Debian
// Chromium through the browser host), Electron specs (skip in one line without a binary).
// Ends with one summary line: "Tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CI = !!process.env.CI
const reports = mkdtempSync(join(tmpdir(), 'carnet-test-'))
const totals = { passed: 0, failed: 0, skipped: 0 }
let broken = false

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) {
    console.log(`✘ ${label} failed (exit ${result.status ?? result.signal})`)
    broken = true
  }
  return result.status === 0
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

run('lint', 'npx', ['eslint', '--max-warnings', '0', '.'])
run('format', 'npx', ['prettier', '--check', '.'])
run('type-check', 'npx', ['tsc', '-b'])
run('type-check (server)', 'npm', ['run', 'typecheck', '-w', 'server'])
// The server's CLI is bundled for plain Node 20; its tests and the e2e specs run the built one.
run('build (server)', 'npm', ['run', 'build', '-w', 'server'])

const vitestJson = join(reports, 'vitest.json')
run('unit and integration', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`
])
const vitest = readJson(vitestJson)
if (vitest) {
  totals.passed += vitest.numPassedTests
  totals.failed += vitest.numFailedTests
  totals.skipped += vitest.numPendingTests + vitest.numTodoTests
} else broken = true

const built = run('build', 'npx', ['electron-vite', 'build'])

function playwright(project) {
  const file = join(reports, `${project}.json`)
  run(
    `${project} specs`,
    'npx',
    ['playwright', 'test', `--project=${project}`, '--reporter=list,json'],
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: file
    }
  )
  const report = readJson(file)
  if (!report) {
    broken = true
    return
  }
  totals.passed += report.stats.expected + report.stats.flaky
  totals.failed += report.stats.unexpected
  totals.skipped += report.stats.skipped
  if (report.stats.unexpected > 0) printPageSnapshots()
}

/**
 * The page as it stood when each failed spec stopped (Playwright's error-context.md: the
 * accessibility tree), printed because CI keeps only this log: a failure seen once can then be
 * told apart from another without rerunning it.
 */
function printPageSnapshots(dir = 'test-results') {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) printPageSnapshots(path)
    else if (entry.name === 'error-context.md') {
      // The page snapshot only: the error is in the list reporter's output above, the source
      // in the repository.
      const text = readFileSync(path, 'utf8')
      const start = text.indexOf('# Page snapshot')
      const end = text.indexOf('# Test source')
      const part = (start === -1 ? text : text.slice(start, end === -1 ? undefined : end)).trim()
      const cut = part.length > 8000 ? `${part.slice(0, 8000)}\n… (truncated)` : part
      console.log(`\n--- ${path} ---\n${cut}\n---`)
    }
  }
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!built) {
  console.log('✘ e2e not run: the build failed')
} else if (!existsSync(chromium)) {
  const line = `e2e SKIPPED: ${chromium} missing; install it with: bash scripts/install-system-deps.sh`
  console.log(`\n!!! ${line} !!!`)
  if (CI) {
    console.log('✘ CI is set: a skipped suite is a failure')
    broken = true
  }
} else {
  playwright('e2e')
}
// Electron specs skip themselves, in one line, where no Electron binary exists (it cannot be
// downloaded on these machines); that skip is expected, in CI too.
if (built) playwright('electron')

rmSync(reports, { recursive: true, force: true })
if (totals.failed > 0) broken = true
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(broken ? 1 : 0)
