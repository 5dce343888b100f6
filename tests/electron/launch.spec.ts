import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { EVENT_CHANNELS, eventListenerName, INVOKE_CHANNELS } from '../../src/shared/ipc/channels'

/*
 * The Electron shell itself: runs only where an Electron binary exists. The binary is looked up
 * the way the `electron` package's index.js does, without calling it: requiring `electron` from
 * Node starts a download when the binary is missing, which cannot work on offline machines.
 */
const ROOT = join(__dirname, '..', '..')
const MAIN = join(ROOT, 'out', 'main', 'index.js')

function findElectronBinary(): string | null {
  try {
    const packageDir = dirname(createRequire(__filename).resolve('electron/package.json'))
    const pathFile = join(packageDir, 'path.txt')
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : ''
    const override = process.env['ELECTRON_OVERRIDE_DIST_PATH']
    const binary = override
      ? join(override, relative || 'electron')
      : relative
        ? join(packageDir, 'dist', relative)
        : null
    return binary && existsSync(binary) ? binary : null
  } catch {
    return null
  }
}

const binary = findElectronBinary()

test.skip(
  !binary,
  'Electron binary not installed on this machine (no download possible); run where Electron exists'
)

test('the shell renders Carnet and exposes only the named bridge functions', async () => {
  expect(existsSync(MAIN), `${MAIN} is missing: run \`npm run build\` first`).toBe(true)
  // The built renderer (app://carnet), not a dev server.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[0] !== 'ELECTRON_RENDERER_URL' && entry[1] !== undefined
    )
  )
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : []
  const app = await electron.launch({
    executablePath: binary ?? '',
    // The project folder: Electron reads package.json (name, productName, main → out/main).
    args: [...rootArgs, ROOT],
    env
  })
  try {
    const page = await app.firstWindow()
    await expect(page).toHaveTitle(/Carnet/)
    await expect(page.locator('body')).toContainText('Carnet')
    expect(page.url()).toMatch(/^app:\/\/carnet\//)

    const bridge = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>
      const carnet = w['carnet'] as Record<string, unknown> | undefined
      return {
        keys: carnet ? Object.keys(carnet).sort() : null,
        allFunctions: carnet ? Object.values(carnet).every((v) => typeof v === 'function') : false,
        frozen: carnet ? Object.isFrozen(carnet) : false,
        globals: {
          require: typeof w['require'],
          process: typeof w['process'],
          ipcRenderer: typeof w['ipcRenderer'],
          module: typeof w['module'],
          Buffer: typeof w['Buffer']
        }
      }
    })
    const expected = [
      ...Object.keys(INVOKE_CHANNELS),
      ...(Object.keys(EVENT_CHANNELS) as Array<keyof typeof EVENT_CHANNELS>).map(eventListenerName)
    ].sort()
    expect(bridge.keys).toEqual(expected)
    expect(bridge.allFunctions).toBe(true)
    expect(bridge.frozen).toBe(true)
    expect(bridge.globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      module: 'undefined',
      Buffer: 'undefined'
    })

    // The bridge reaches the main process through the checked IPC path.
    const info = await page.evaluate(() =>
      (window as unknown as { carnet: { appInfo(args: object): Promise<unknown> } }).carnet.appInfo(
        {}
      )
    )
    expect(info).toMatchObject({ ok: true, value: { name: 'Carnet', host: 'electron' } })

    // New windows are refused (setWindowOpenHandler denies).
    expect(await page.evaluate(() => window.open('https://carnet.example.org/') === null)).toBe(
      true
    )
    expect(app.windows()).toHaveLength(1)
  } finally {
    await app.close()
  }
})
