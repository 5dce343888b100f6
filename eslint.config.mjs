import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Process boundaries are enforced here (architecture.md): shared code runs in the renderer, the
// main process and the server alike; the renderer reaches the main process only through lib/api.
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'util',
  'stream',
  'events',
  'worker_threads'
]

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'server/dist/**',
      'node_modules/**',
      'bench-results/**',
      'test-results/**',
      'playwright-report/**',
      'build/make-icon.mjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['src/shared/**/*.ts'],
    languageOptions: { globals: { crypto: 'readonly' } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/shared is pure: no Electron.' }],
          patterns: [
            { group: nodeBuiltins, message: 'src/shared is pure: no Node built-ins.' },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', 'react', 'dexie'],
              message: 'src/shared imports nothing from the processes.'
            }
          ]
        }
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'localStorage',
        'sessionStorage',
        'navigator',
        'process',
        'Buffer'
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches the main process through lib/api.ts only.'
            }
          ],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer never imports Node.' },
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer reaches the main process through lib/api.ts only.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/renderer/src/**/*.{ts,tsx}'],
    ignores: ['src/renderer/src/lib/api.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'carnet', message: 'Use lib/api.ts.' }
      ]
    }
  },
  {
    files: ['src/main/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Services take their platform needs as parameters (services/platform.ts).'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/shared/ipc/contract', 'zod'],
              allowTypeImports: true,
              message: 'The sandboxed preload bundles channels.ts only.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  }
)
