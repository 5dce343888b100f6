import { createIntervention, expect, test } from './fixtures'

test.describe('timing an intervention in 15-minute units', () => {
  test('create, start, reload mid-timer, stop: the units follow the started-unit rule', async ({
    app: page
  }) => {
    await page.clock.install({ time: new Date('2026-11-27T08:00:00+01:00') })
    await page.reload()
    await expect(page.locator('body[data-ready=true]')).toBeAttached()
    await createIntervention(page, /Valfleury/, 'Serveur de fichiers saturé')
    await expect(page.getByTestId('status')).toHaveText('Planifiée')
    await expect(page.getByTestId('units-now')).toHaveText('0 unité')

    await page.getByRole('button', { name: 'Démarrer' }).click()
    await expect(page.getByTestId('status')).toHaveText('En cours')
    await expect(page.getByTestId('timer-bar')).toContainText('Serveur de fichiers saturé')
    await expect(page.getByTestId('units-now')).toHaveText('1 unité')

    // Steps shorter than the gap threshold: the heartbeat sees the app alive throughout.
    await page.clock.fastForward('05:00')
    await page.clock.fastForward('05:00')
    await expect(page.getByTestId('timer-state')).toContainText('10:0')

    // A reload mid-timer keeps the true start: the clock goes on from 10 minutes, not zero.
    await page.reload()
    await expect(page.locator('body[data-ready=true]')).toBeAttached()
    await expect(page.getByTestId('timer-state')).toContainText(/En cours depuis 10:0\d/)
    await expect(page.getByTestId('units-line')).toContainText(
      /1 unité — la 2e commence dans 0[45]:\d\d/
    )

    await page.clock.fastForward('05:01')
    await expect(page.getByTestId('units-now')).toHaveText('2 unités')
    // After a reload under the fake clock, animation frames (Playwright's stability check) no
    // longer tick on their own; the button is there and enabled, so skip that one check.
    await page
      .getByTestId('timer-panel')
      .getByRole('button', { name: 'Arrêter' })
      .click({ force: true })
    await expect(page.getByTestId('timer-bar')).toBeHidden()
    const rows = page.getByTestId('entry-row')
    await expect(rows).toHaveCount(1)
    await expect(rows.first().getByTestId('entry-duration')).toHaveText(/15:0[1-3]/)
    await expect(page.getByTestId('entries-total')).toContainText('2 unités')
  })

  test('switching intervention pauses the first: one running timer per technician', async ({
    app: page
  }) => {
    await createIntervention(page, /Valfleury/, 'Première intervention')
    await page.getByRole('button', { name: 'Démarrer' }).click()
    await expect(page.getByTestId('timer-bar')).toContainText('Première intervention')
    await createIntervention(page, /Valfleury/, 'Seconde intervention')
    await expect(page.getByText('Le minuteur tourne sur « Première intervention »')).toBeVisible()
    await page.getByRole('button', { name: 'Démarrer' }).click()
    await expect(page.getByTestId('timer-bar')).toContainText('Seconde intervention')
    await page.getByTestId('timer-bar').getByRole('button', { name: 'Pause' }).click()
    await expect(page.getByTestId('timer-bar')).toContainText('En pause')
    await page.getByTestId('timer-bar').getByRole('button', { name: 'Reprendre' }).click()
    await expect(page.getByTestId('timer-state')).toContainText('En cours depuis')
  })

  test('after a long silence the app asks what to do with the gap', async ({ app: page }) => {
    await page.clock.install({ time: new Date('2026-11-27T09:00:00+01:00') })
    await page.reload()
    await expect(page.locator('body[data-ready=true]')).toBeAttached()
    await createIntervention(page, /Valfleury/, 'Mise à jour du NAS')
    await page.getByRole('button', { name: 'Démarrer' }).click()
    // The start is committed before time moves on.
    await expect(page.getByTestId('timer-state')).toContainText('En cours depuis 00:0')
    await page.clock.fastForward('04:00')
    await expect(page.getByTestId('timer-state')).toContainText('04:0')
    // The laptop sleeps for 40 minutes: no heartbeat in between.
    await page.clock.fastForward('40:00')
    const dialog = page.getByRole('dialog', { name: 'Le minuteur a tourné sans activité' })
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Ne pas le compter' }).click()
    await expect(dialog).toBeHidden()
    // The work up to the last sign of life is one entry; the timer runs again from now.
    await expect(page.getByTestId('entry-row')).toHaveCount(1)
    await expect(page.getByTestId('entry-row').first().getByTestId('entry-duration')).toHaveText(
      /0[34]:\d\d/
    )
    await expect(page.getByTestId('timer-state')).toContainText('En cours depuis 00:0')
  })
})
