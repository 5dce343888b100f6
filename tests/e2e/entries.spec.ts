import { createIntervention, expect, test } from './fixtures'

test.describe('manual entries, voids and the agreement balance', () => {
  test('a manual entry counts, a voided one stays visible and stops counting', async ({
    app: page
  }) => {
    await createIntervention(page, /Valfleury/, 'Installation imprimante')
    const remaining = Number(await page.getByTestId('balance-remaining').textContent())

    await page.getByLabel('Heure de début').fill('09:00')
    await page.getByLabel('Heure de fin').fill('09:20')
    await page.getByRole('button', { name: 'Ajouter l’action' }).click()
    await expect(page.getByTestId('entry-row')).toHaveCount(1)
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 20:00 → 2 unités')
    await expect(page.getByTestId('balance-pending')).toHaveText('2')
    await expect(page.getByTestId('balance-remaining')).toHaveText(String(remaining - 2))

    await page.getByLabel('Heure de début').fill('10:00')
    await page.getByLabel('Heure de fin').fill('10:15')
    await page.getByRole('button', { name: 'Ajouter l’action' }).click()
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 35:00 → 3 unités')

    await page.getByRole('button', { name: /Annuler l’action du .* 09:00/ }).click()
    const dialog = page.getByRole('dialog', { name: 'Annuler une action' })
    await dialog.getByLabel('Motif de l’annulation').fill('Saisie en double')
    await dialog.getByRole('button', { name: 'Annuler', exact: true }).last().click()
    await expect(page.getByText('Annulée : Saisie en double')).toBeVisible()
    await expect(page.getByTestId('entry-row')).toHaveCount(2)
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 15:00 → 1 unité')
    await expect(page.getByTestId('balance-pending')).toHaveText('1')
  })

  test('an entry edited outside Carnet to break the rule is shown as such, and can be voided', async ({
    app: page
  }) => {
    await createIntervention(page, /Valfleury/, 'Saisie modifiée à la main')
    await page.getByLabel('Heure de début').fill('09:00')
    await page.getByLabel('Heure de fin').fill('09:20')
    await page.getByRole('button', { name: 'Ajouter l’action' }).click()
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 20:00 → 2 unités')
    // As a pull would bring an entry edited by hand in the server's database: 30 h long.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('carnet')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const tx = open.result.transaction('timeEntries', 'readwrite')
            const store = tx.objectStore('timeEntries')
            const all = store.getAll()
            all.onsuccess = () => {
              for (const entry of all.result as Array<{ startedAt: string; endedAt: string }>) {
                entry.endedAt = new Date(Date.parse(entry.startedAt) + 30 * 3_600_000).toISOString()
                store.put(entry)
              }
            }
            tx.oncomplete = () => {
              open.result.close()
              resolve()
            }
            tx.onerror = () => reject(tx.error)
          }
        })
    )
    await page.reload()
    await expect(page.getByTestId('entries-issue')).toContainText(
      'Unités non calculées : Une action ne peut pas dépasser 24 heures.'
    )
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 30:00:00 → —')
    await expect(page.getByTestId('units-now')).toHaveText('—')
    await expect(page.getByTestId('page-error')).toBeHidden()

    await page.getByRole('button', { name: /Annuler l’action du .* 09:00/ }).click()
    const dialog = page.getByRole('dialog', { name: 'Annuler une action' })
    await dialog.getByLabel('Motif de l’annulation').fill('Saisie corrompue')
    await dialog.getByRole('button', { name: 'Annuler', exact: true }).last().click()
    await expect(page.getByTestId('entries-issue')).toBeHidden()
    await expect(page.getByTestId('entries-total')).toHaveText('Total : 00:00 → 0 unité')
  })

  test('bad input gets a clear message and changes nothing', async ({ app: page }) => {
    await createIntervention(page, /Valfleury/, 'Saisie erronée')
    await page.getByLabel('Heure de début').fill('11:00')
    await page.getByLabel('Heure de fin').fill('10:00')
    await page.getByRole('button', { name: 'Ajouter l’action' }).click()
    await expect(page.getByTestId('error')).toContainText('La fin est avant le début.')
    await expect(page.getByTestId('entry-row')).toHaveCount(0)
    await expect(page.getByText('Aucune action enregistrée.')).toBeVisible()
  })

  test('the balance warns before work on a low agreement and turns exhausted when work exceeds it', async ({
    app: page
  }) => {
    await createIntervention(page, /Saint-Aubin/, 'Dépannage messagerie')
    await expect(page.getByTestId('balance-state')).toHaveText('Solde bas')
    await expect(page.getByTestId('balance-warning')).toContainText('Il ne reste que')

    await page.getByRole('button', { name: 'Démarrer' }).click()
    const confirm = page.getByRole('dialog', { name: 'Avant de commencer' })
    await expect(confirm.getByTestId('start-warning')).toContainText('Il ne reste que')
    await confirm.getByRole('button', { name: 'Annuler' }).click()
    await expect(page.getByTestId('timer-bar')).toBeHidden()

    await page.getByLabel('Heure de début').fill('08:00')
    await page.getByLabel('Heure de fin').fill('11:00')
    await page.getByRole('button', { name: 'Ajouter l’action' }).click()
    await expect(page.getByTestId('balance-state')).toHaveText('Épuisée')
    await expect(page.getByTestId('balance-warning')).toContainText(
      'le travail sera accepté et signalé'
    )
  })

  test('an expired agreement is flagged and the work still accepted', async ({ app: page }) => {
    await createIntervention(page, /Lac-Clair/, 'Poste de la bibliothèque')
    await expect(page.getByTestId('balance-state')).toHaveText('Expirée')
    await page.getByRole('button', { name: 'Démarrer' }).click()
    await page
      .getByRole('dialog', { name: 'Avant de commencer' })
      .getByRole('button', { name: 'Commencer quand même' })
      .click()
    await expect(page.getByTestId('timer-bar')).toContainText('Poste de la bibliothèque')
  })
})

test.describe('finding work and settings', () => {
  test('search and filters narrow the list; the demo data is labelled', async ({ app: page }) => {
    await expect(page.getByTestId('demo-badge')).toHaveText('Données fictives de démonstration')
    await expect(page.getByTestId('list-count')).toHaveText('14 interventions')
    await page.getByLabel('Collectivité').selectOption({ index: 1 })
    const filtered = Number((await page.getByTestId('list-count').textContent())?.split(' ')[0])
    expect(filtered).toBeLessThan(14)
    await page.getByLabel('Collectivité').selectOption({ index: 0 })
    await page.getByLabel('Rechercher').fill('roche sauve')
    await expect(page.getByRole('listitem').first()).toContainText('Roche-Sauve')
    await page.getByRole('listitem').first().getByRole('link').click()
    await expect(page.getByTestId('balance-state')).toHaveText('Épuisée')
  })

  test('language switches to English and stays after a reload', async ({ app: page }) => {
    await page.getByRole('link', { name: 'Paramètres' }).click()
    await expect(page.getByTestId('storage-use')).toContainText('utilisés')
    await page.getByLabel('Langue').selectOption('en')
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
    await page.reload()
    await expect(page.getByRole('link', { name: 'Interventions' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
    await expect(page.getByTestId('data-dir')).not.toBeEmpty()
  })
})

test('a damaged stored record shows a message on its page, is logged, and leaves the rest working', async ({
  app: page
}) => {
  const id = '01a21b0c-0000-7000-8000-00000000dead'
  await page.evaluate(
    (badId) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('carnet')
        open.onsuccess = () => {
          const tx = open.result.transaction('interventions', 'readwrite')
          tx.objectStore('interventions').put({
            id: badId,
            status: 'bogus',
            kind: 42,
            updatedAt: '2026-11-27T00:00:00Z',
            localUnits: 0
          })
          tx.oncomplete = () => resolve()
          tx.onerror = () => reject(tx.error)
        }
      }),
    id
  )
  // The damaged row is in storage when the app starts.
  await page.reload()
  await expect(page.getByTestId('list-count')).toHaveText('15 interventions')
  await page.goto(page.url().split('#')[0] + `#/interventions/${id}`)
  await expect(page.getByTestId('page-error')).toContainText('Erreur inattendue')
  await page.getByRole('link', { name: 'Interventions' }).click()
  await expect(page.getByTestId('list-count')).toHaveText('15 interventions')
  await page
    .getByRole('listitem')
    .filter({ hasText: 'Roche-Sauve' })
    .first()
    .getByRole('link')
    .click()
  await expect(page.getByTestId('balance-state')).toBeVisible()
})
