import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import {
  allCmdlinesContaining,
  startRdpPeer,
  type RdpPeer
} from '../../src/main/services/remote/rdp-test-peer'
import {
  sshKeygenFingerprint,
  startSshd,
  type TestSshd
} from '../../src/main/services/remote/ssh-test-sshd'
import { expect, startHost, test } from './fixtures'

/** Every file of a folder tree that contains `secret` (the app's data folder and logs). */
function filesContaining(dir: string, secret: string): string[] {
  const hits: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) hits.push(...filesContaining(path, secret))
    else if (readFileSync(path).includes(secret)) hits.push(path)
  }
  return hits
}

async function openApp(page: Page, url: string) {
  await page.goto(url)
  await expect(page.locator('body[data-ready=true]')).toBeAttached()
}

/** Adds an access to the demo server SRV-MAIRIE-01 of Valfleury. */
async function addAccess(page: Page, fill: Record<string, string>, protocol: string) {
  await page.getByRole('link', { name: 'Parc informatique' }).click()
  const asset = page
    .getByRole('region', { name: 'Valfleury-sur-Loue (fictive)' })
    .getByTestId('asset')
    .filter({ hasText: 'SRV-MAIRIE-01' })
  await asset.getByRole('button', { name: 'Ajouter un accès distant' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Protocole').selectOption({ label: protocol })
  for (const [label, value] of Object.entries(fill)) await dialog.getByLabel(label).fill(value)
  await dialog.getByRole('button', { name: 'Enregistrer l’accès' }).click()
  await expect(dialog).toBeHidden()
  return asset
}

async function connectOn(
  page: Page,
  asset: ReturnType<Page['locator']>,
  protocol: string,
  intervention: string
) {
  await asset.getByRole('button', { name: `Se connecter (${protocol})` }).click()
  const dialog = page.getByRole('dialog', { name: /Se connecter à/ })
  await dialog
    .getByLabel('Compter le temps sur l’intervention')
    .selectOption({ label: intervention })
  await dialog.getByRole('button', { name: 'Lancer la session' }).click()
}

async function firstOpenIntervention(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Interventions' }).click()
  await page.getByLabel('Collectivité').selectOption({ label: 'Valfleury-sur-Loue (fictive)' })
  await page.getByLabel('Statut').selectOption({ label: 'En cours' })
  const title = (await page.getByRole('listitem').first().locator('.row-title').textContent()) ?? ''
  await page.getByLabel('Statut').selectOption({ index: 0 })
  await page.getByLabel('Collectivité').selectOption({ index: 0 })
  return title
}

test.describe('SSH terminal against a real OpenSSH server', () => {
  test.describe.configure({ timeout: 120_000 })
  let sshd: TestSshd
  test.beforeAll(async () => {
    sshd = await startSshd({ passwordUser: true })
  })
  test.afterAll(async () => {
    await sshd?.stop()
  })

  test('new host key shown and accepted, a command runs, the session becomes a remote entry; a changed key is refused', async ({
    browser
  }) => {
    test.skip(!sshd.passwordUser, 'password login needs root to create a throwaway user')
    const user = sshd.passwordUser!
    const { host, stop } = await startHost()
    const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'fr-FR' })
    try {
      const page = await context.newPage()
      await openApp(page, host.url)
      const intervention = await firstOpenIntervention(page)
      const asset = await addAccess(
        page,
        {
          'Hôte (nom ou adresse IP)': '127.0.0.1',
          Port: String(sshd.port),
          Utilisateur: user.name,
          'Mot de passe ou clé privée (enregistré chiffré, jamais réaffiché)': user.password
        },
        'Terminal SSH'
      )
      await connectOn(page, asset, 'SSH', intervention)

      const prompt = page.getByRole('dialog', { name: 'Clé d’hôte inconnue' })
      await expect(prompt.getByTestId('host-key-fingerprint')).toContainText(
        sshKeygenFingerprint(sshd.hostPub)
      )
      await prompt.getByRole('button', { name: 'Faire confiance et se connecter' }).click()

      const terminal = page.getByTestId('terminal')
      await expect(terminal).toBeVisible()
      await terminal.click()
      // Remote work that takes a couple of seconds, so the session has time worth billing.
      await page.keyboard.type('sleep 2; echo carnet-$((6*7))\n')
      await expect(terminal).toContainText('carnet-42')

      await page.getByRole('button', { name: 'Fermer le terminal' }).click()
      const ended = page.getByRole('dialog', { name: 'Session terminée' })
      await expect(ended.getByTestId('session-ended')).toContainText(
        'Session Terminal SSH sur SRV-MAIRIE-01'
      )
      await ended.getByLabel('Note de l’action').fill('Redémarrage du service d’impression')
      await ended.getByRole('button', { name: 'Ajouter l’action à distance' }).click()
      await expect(ended).toBeHidden()

      await page.getByRole('link', { name: 'Interventions' }).click()
      await page.getByRole('link', { name: intervention }).first().click()
      const row = page.getByTestId('entry-row').filter({ hasText: 'Session à distance' })
      await expect(row).toHaveCount(1)
      await expect(row).toContainText('Redémarrage du service d’impression')

      // The server's key changes: refused before any credential is sent.
      await sshd.regenerateHostKey()
      const logFrom = sshd.log().length
      await page.getByRole('link', { name: 'Parc informatique' }).click()
      await connectOn(page, asset, 'SSH', intervention)
      await expect(page.getByTestId('error')).toContainText('La clé de ce serveur a changé')
      expect(sshd.log().slice(logFrom)).not.toContain('userauth-request')

      // The password never left the vault in clear.
      expect(filesContaining(host.dataDir, user.password)).toEqual([])
      expect(allCmdlinesContaining(user.password)).toEqual([])
    } finally {
      await context.close()
      stop()
    }
  })
})

test.describe('RDP through FreeRDP against a real shadow server', () => {
  // Two X servers, a shadow server and an RDP client: slow to start on a loaded 2-core machine.
  test.describe.configure({ timeout: 150_000 })
  let peer: RdpPeer
  let work: string
  test.beforeAll(async () => {
    test.setTimeout(90_000)
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    work = mkdtempSync(join(tmpdir(), 'carnet-e2e-rdp-'))
    peer = await startRdpPeer(work)
  })
  test.afterAll(async () => {
    peer?.stop()
    const { rmSync } = await import('node:fs')
    if (work) rmSync(work, { recursive: true, force: true })
  })

  test('the launcher starts xfreerdp, the client’s exit ends the session and proposes a remote entry; the password is nowhere', async ({
    browser
  }) => {
    const canary = 'Rdp-e2e-canary-7c21'
    const { host, stop } = await startHost({
      DISPLAY: peer.clientDisplay,
      CARNET_TEST_IGNORE_RDP_CERT: '1'
    })
    const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'fr-FR' })
    try {
      const page = await context.newPage()
      await openApp(page, host.url)
      const intervention = await firstOpenIntervention(page)
      const asset = await addAccess(
        page,
        {
          'Hôte (nom ou adresse IP)': '127.0.0.1',
          Port: String(peer.port),
          Utilisateur: 'technicien',
          'Mot de passe ou clé privée (enregistré chiffré, jamais réaffiché)': canary
        },
        'Bureau à distance (RDP)'
      )
      const before = peer.activeClients()
      const launchedAt = Date.now()
      await connectOn(page, asset, 'RDP', intervention)
      await expect.poll(() => peer.activeClients(), { timeout: 20_000 }).toBeGreaterThan(before)
      await expect.poll(() => peer.clientWindows().length, { timeout: 20_000 }).toBeGreaterThan(0)
      expect(allCmdlinesContaining(canary)).toEqual([])

      // The technician works a few seconds (a session needs a billable duration, ≥ 1 s), then
      // closes the RDP window: the session ends and its time is proposed.
      await expect.poll(() => Date.now() - launchedAt, { timeout: 10_000 }).toBeGreaterThan(2500)
      const { spawnSync } = await import('node:child_process')
      for (const win of peer.clientWindows())
        spawnSync('xdotool', ['windowclose', win], {
          env: { ...process.env, DISPLAY: peer.clientDisplay }
        })
      const ended = page.getByRole('dialog', { name: 'Session terminée' })
      await expect(ended.getByTestId('session-ended')).toContainText(
        'Bureau à distance (RDP) sur SRV-MAIRIE-01'
      )
      await ended.getByRole('button', { name: 'Ajouter l’action à distance' }).click()
      await page.getByRole('link', { name: 'Interventions' }).click()
      await page.getByRole('link', { name: intervention }).first().click()
      await expect(
        page.getByTestId('entry-row').filter({ hasText: 'Session à distance' })
      ).toHaveCount(1)

      expect(filesContaining(host.dataDir, canary)).toEqual([])
      expect(filesContaining(work, canary)).toEqual([])
      expect(allCmdlinesContaining(canary)).toEqual([])
    } finally {
      await context.close()
      stop()
    }
  })
})
