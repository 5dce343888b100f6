#!/usr/bin/env node
// `npm start` / `npm run start:browser`: a local carnet-server with fictional demo data on
// 127.0.0.1:8787 beside the app, so a newcomer sees sync work with no setup. The server's
// embedded database lives in .carnet-server-data/ (delete it to start over).
import { execFileSync, spawn } from 'node:child_process'
import { resolve } from 'node:path'

const browser = process.argv.includes('--browser')
const cli = resolve('server/bin/carnet-server.js')
const data = resolve('.carnet-server-data')
const port = process.env.CARNET_SERVER_PORT ?? '8787'

const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' })
run('npm', ['run', 'build', '-w', 'server', '--silent'])
run(process.execPath, [cli, 'seed-demo', '--data', data])

const server = spawn(process.execPath, [cli, 'serve', '--port', port, '--data', data, '--quiet'], {
  stdio: 'inherit'
})
console.log(
  `\nLocal server: http://127.0.0.1:${port} — sign in from the app's "Synchronisation" page`
)
console.log('with the demo accounts printed above (fictional data; never for real work).\n')

if (browser) run('npx', ['electron-vite', 'build'])
const app = browser
  ? spawn(process.execPath, ['out/main/browser-host.js'], { stdio: 'inherit' })
  : spawn('npx', ['electron-vite', 'preview'], { stdio: 'inherit' })
app.on('exit', (code) => stop(code ?? 0))

function stop(code) {
  server.kill('SIGTERM')
  process.exitCode = code
}
process.on('SIGINT', () => {
  app.kill('SIGINT')
  stop(0)
})
