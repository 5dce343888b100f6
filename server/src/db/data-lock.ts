import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'

export interface DataLock {
  release(): void
}

export class DataDirBusyError extends Error {
  readonly code = 'data.busy'
  constructor(dir: string, pid: number) {
    super(
      `The data folder ${dir} is in use by another carnet-server process (pid ${pid}). ` +
        'The embedded database is single-process: stop that process first (for example the ' +
        'running `serve`), or use PostgreSQL (DATABASE_URL) to run admin commands beside a server.'
    )
    this.name = 'DataDirBusyError'
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the data folder's lock file (`carnet-server.lock`, holding the owner's pid). A lock left
 * by a dead process (crash, kill -9) is taken over; a live owner makes this throw.
 */
export function acquireDataLock(dir: string): DataLock {
  const file = join(dir, 'carnet-server.lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      const release = (): void => {
        if (released) return
        released = true
        process.off('exit', release)
        rmSync(file, { force: true })
      }
      process.on('exit', release)
      return { release }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DataDirBusyError(dir, pid)
      }
      if (pid === process.pid) throw new DataDirBusyError(dir, pid)
      rmSync(file, { force: true })
    }
  }
  throw new Error(`Could not take the lock file in ${dir}.`)
}
