import { defineConfig } from '@playwright/test'

/**
 * Browser specs run in Debian's Chromium (Playwright cannot download its own here). The e2e
 * project drives the browser host; the electron project needs an Electron binary and skips,
 * in one line, where there is none.
 */
export const chromiumLaunch = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync'
  ]
}

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env['CI'],
  reporter: [['list']],
  projects: [
    {
      name: 'e2e',
      testDir: 'tests/e2e',
      use: {
        launchOptions: chromiumLaunch,
        timezoneId: 'Europe/Paris',
        locale: 'fr-FR',
        viewport: { width: 1280, height: 900 }
      }
    },
    { name: 'electron', testDir: 'tests/electron' }
  ]
})
