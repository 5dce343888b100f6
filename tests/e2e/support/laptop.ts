import { expect, type Page } from '@playwright/test'

/** Signs the app in (accepting the demo-data wipe) and waits for the first sync to finish. */
export async function signIn(
  page: Page,
  hostUrl: string,
  serverUrl: string,
  who: { email: string; password: string }
) {
  await page.goto(hostUrl)
  await expect(page.locator('body[data-ready=true]')).toBeAttached()
  await page.getByTestId('sync-indicator').click()
  await page.getByLabel('Adresse du serveur').fill(serverUrl)
  await page.getByLabel('Courriel').fill(who.email)
  await page.getByLabel('Mot de passe').fill(who.password)
  page.once('dialog', (dialog) => void dialog.accept())
  await page.getByRole('button', { name: 'Se connecter' }).click()
  // "À jour" alone may show before the first pass has run: wait for its success too.
  await expect(page.getByTestId('sync-last')).toHaveText(/Dernière synchronisation réussie/, {
    timeout: 20_000
  })
  await expect(page.getByTestId('sync-phase')).toHaveText('À jour', { timeout: 20_000 })
}

/** Waits until this laptop has nothing left to push and its last pass succeeded. */
export async function synced(page: Page) {
  await page.getByTestId('sync-indicator').click()
  await expect(page.getByTestId('sync-phase'), 'the sync page of a signed-in laptop').toBeVisible()
  await page.getByRole('button', { name: 'Synchroniser maintenant' }).click()
  await expect(page.getByTestId('sync-pending')).toHaveText(/^0 modification/, { timeout: 20_000 })
  await expect(page.getByTestId('sync-phase')).toHaveText('À jour', { timeout: 20_000 })
}

/** Reads a store of the app's IndexedDB directly (what the laptop really holds). */
export function readLocal<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('carnet')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const request = open.result.transaction(name, 'readonly').objectStore(name).getAll()
          request.onsuccess = () => {
            open.result.close()
            resolve(request.result as T[])
          }
          request.onerror = () => reject(request.error)
        }
      }),
    store
  )
}

export async function addManualEntry(page: Page, start: string, end: string) {
  await page.getByLabel('Heure de début').fill(start)
  await page.getByLabel('Heure de fin').fill(end)
  await page.getByRole('button', { name: 'Ajouter l’action' }).click()
  // The form clears once the entry is stored: the next entry starts from empty fields.
  await expect(page.getByLabel('Heure de début')).toHaveValue('')
}
