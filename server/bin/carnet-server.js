#!/usr/bin/env node
// Entry point of the `carnet-server` command: the TypeScript sources are bundled into dist/cli.js
// by `npm run build -w server` (Node 20 cannot run TypeScript directly).
import { existsSync } from 'node:fs'

const built = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(built)) {
  process.stderr.write('carnet-server is not built yet: run `npm run build -w server` first.\n')
  process.exit(1)
}
const { main } = await import(built.href)
process.exitCode = await main(process.argv.slice(2))
