import { defineConfig } from '@playwright/test'
import { chromiumLaunch } from '../playwright.config'

/**
 * `npm run bench`: timing figures of the renderer in Debian's Chromium through the browser host.
 * Benchmarks report; they fail only when something breaks, never on a timing.
 */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.bench\.ts$/,
  outputDir: '../test-results/bench',
  timeout: 10 * 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    launchOptions: chromiumLaunch,
    timezoneId: 'Europe/Paris',
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 }
  }
})
