import { builtinModules } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = dirname(fileURLToPath(import.meta.url))

// Bundles the CLI and everything it imports (including ../src/shared) into one ESM file for
// plain Node 20; npm dependencies and Node built-ins stay external (resolved from node_modules).
const external = [
  /^node:/,
  ...builtinModules,
  /^fastify/,
  /^pg($|\/)/,
  /^@electric-sql\//,
  /^zod($|\/)/
]

export default defineConfig({
  build: {
    ssr: resolve(here, 'src/cli.ts'),
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      external,
      output: { format: 'es', entryFileNames: 'cli.js' }
    }
  },
  ssr: { noExternal: [] }
})
