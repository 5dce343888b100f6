import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A private folder for the few files a launcher must hand to another program (`.rdp`, VNC
 * password file). mkdtemp makes it 0700 under the user's temp folder; files are created 0600
 * with O_EXCL so a pre-planted file or symlink of the same name makes the launch fail instead
 * of being written through.
 */
export interface PrivateTempDir {
  readonly path: string
  /** Creates `name` (letters, digits, `.`, `_`, `-`) with mode 0600; returns its full path. */
  write(name: string, content: string | Uint8Array): string
  /** Removes the folder and everything in it; safe to call twice. */
  remove(): void
}

export function createPrivateTempDir(
  prefix = 'carnet-remote-',
  parent: string = tmpdir()
): PrivateTempDir {
  const path = mkdtempSync(join(parent, prefix))
  if ((statSync(path).mode & 0o077) !== 0) {
    rmSync(path, { recursive: true, force: true })
    throw new Error(`temporary folder ${path} is readable by others`)
  }
  return {
    path,
    write(name, content) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name)) {
        throw new Error(`bad temporary file name ${JSON.stringify(name)}`)
      }
      const file = join(path, name)
      const fd = openSync(file, 'wx', 0o600)
      try {
        writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
      } finally {
        closeSync(fd)
      }
      return file
    },
    remove() {
      rmSync(path, { recursive: true, force: true })
    }
  }
}

/** Lists what is left in a folder (tests and leftovers checks). */
export function listTempDir(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}
