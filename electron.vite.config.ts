import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The development browser host: the same handlers over a loopback WebSocket. It is
          // built beside the shell but excluded from the package (electron-builder.yml).
          'browser-host': resolve(__dirname, 'src/main/browser-host/index.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload must be one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].js' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/renderer/index.html'),
          bench: resolve(__dirname, 'src/renderer/bench.html')
        }
      }
    },
    plugins: [react()]
  }
})
