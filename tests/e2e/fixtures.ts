import { test as base, expect, type Page } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Host {
  url: string
  dataDir: string
}

/** Starts the real browser host (built renderer + main handlers) on a free loopback port. */
export async function startHost(
  env: NodeJS.ProcessEnv = {}
): Promise<{ host: Host; stop: () => void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-'))
  const child: ChildProcess = spawn(
    process.execPath,
    ['out/main/browser-host.js', '--port', '0', '--data', dataDir],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /CARNET_URL=(\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
    child.once('exit', (code) =>
      reject(new Error(`browser host exited (${code}); run "npm run build" first? ${out}`))
    )
  })
  return {
    host: { url, dataDir },
    stop: () => {
      child.kill('SIGTERM')
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export const test = base.extend<{ app: Page }, { host: Host }>({
  host: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { host, stop } = await startHost()
      try {
        await use(host)
      } finally {
        stop()
      }
    },
    { scope: 'worker' }
  ],
  /** A fresh profile (new context → empty IndexedDB) with the app loaded and ready. */
  app: async ({ page, host }, use) => {
    await page.goto(host.url)
    await expect(page.locator('body[data-ready=true]')).toBeAttached()
    await use(page)
  }
})

export { expect }

/** Opens the first intervention of the list whose title matches. */
export async function openIntervention(page: Page, title: string | RegExp): Promise<void> {
  await page.getByRole('link', { name: title }).first().click()
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
}

/** Creates an intervention on the named demo municipality through the form. */
export async function createIntervention(
  page: Page,
  municipality: RegExp,
  title: string
): Promise<void> {
  await page.getByRole('link', { name: 'Nouvelle intervention' }).click()
  await page
    .getByLabel('Collectivité')
    .selectOption({ label: await optionLabel(page, 'Collectivité', municipality) })
  await page.getByLabel('Titre').fill(title)
  await page.getByRole('button', { name: 'Créer l’intervention' }).click()
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
}

/** The first option matching `pattern`, once the form has loaded its choices (asynchronously). */
async function optionLabel(page: Page, label: string, pattern: RegExp): Promise<string> {
  const options = page.getByLabel(label).locator('option')
  await expect(options.filter({ hasText: pattern }).first()).toBeAttached()
  const labels = await options.allTextContents()
  const found = labels.find((l) => pattern.test(l))
  if (!found) throw new Error(`no option ${pattern} in ${labels.join(', ')}`)
  return found
}
