import { accessSync, constants, statSync } from 'node:fs'
import { delimiter as hostDelimiter, isAbsolute, join } from 'node:path'

/**
 * Finds a program on PATH the way a shell would, without a shell. Relative PATH entries (``,
 * `.`) are skipped: they would let a file in the current folder stand in for `xfreerdp`.
 */
export interface LookupOptions {
  /** PATH value; defaults to the process's. */
  path?: string
  platform?: NodeJS.Platform
  /** Windows extensions tried after the bare name; defaults to PATHEXT. */
  pathExt?: string
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false
    if (platform !== 'win32') accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The first of `names` found, as an absolute path; `undefined` when none is installed. */
export function findExecutable(
  names: readonly string[],
  options: LookupOptions = {}
): string | undefined {
  const platform = options.platform ?? process.platform
  const delimiter = platform === 'win32' ? ';' : platform === process.platform ? hostDelimiter : ':'
  const dirs = (options.path ?? process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => isAbsolute(d))
  const exts =
    platform === 'win32'
      ? ['', ...(options.pathExt ?? process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')]
      : ['']
  for (const name of names) {
    if (isAbsolute(name)) {
      if (isExecutable(name, platform)) return name
      continue
    }
    if (name.includes('/') || name.includes('\\')) continue
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = join(dir, name + ext.toLowerCase())
        if (isExecutable(candidate, platform)) return candidate
        if (ext && isExecutable(join(dir, name + ext), platform)) return join(dir, name + ext)
      }
    }
  }
  return undefined
}
