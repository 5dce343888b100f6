import { defineConfig } from 'vitest/config'

// Unit and integration tests sit beside the code they test (`*.test.ts`). Browser specs live in
// tests/e2e and tests/electron and run under Playwright, not here.
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'tests/unit/**/*.test.ts',
      'server/**/*.test.ts'
    ],
    environment: 'node',
    pool: 'threads',
    reporters: ['default']
  }
})
