import { readdirSync, readFileSync } from 'node:fs'

/*
 * CPU time of the processes a load phase keeps busy, from Linux's /proc: the server process,
 * the PostgreSQL cluster (postmaster, backends, background workers) and this load generator.
 * Set beside a phase's rate, it says whether the phase was bound by the machine's cores or by
 * waiting (the version row that serializes pushes). Elsewhere than Linux the figures are null.
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux Node runs on). */
const USER_HZ = 100

interface Stat {
  ppid: number
  /** utime + stime, ms. */
  ownMs: number
  /** cutime + cstime, ms: children that have exited and been waited for. */
  reapedMs: number
}

function readStat(pid: number | string): Stat | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const ms = (i: number) => (Number(f[i]) * 1000) / USER_HZ
  return { ppid: Number(f[1]), ownMs: ms(11) + ms(12), reapedMs: ms(13) + ms(14) }
}

/** CPU ms a process has used so far, all its threads included; null if it cannot be read. */
export function processCpuMs(pid: number): number | null {
  return readStat(pid)?.ownMs ?? null
}

/** The postmaster of a PostgreSQL backend (`SELECT pg_backend_pid()`), or null. */
export function postmasterOf(backendPid: number): number | null {
  return readStat(backendPid)?.ppid ?? null
}

/**
 * CPU ms a PostgreSQL cluster has used so far: its postmaster, its live children, and the
 * children that have exited (counted in the postmaster's reaped time); null if /proc cannot say.
 */
export function clusterCpuMs(postmaster: number): number | null {
  const root = readStat(postmaster)
  if (!root) return null
  let total = root.ownMs + root.reapedMs
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(entry)
    if (stat?.ppid === postmaster) total += stat.ownMs
  }
  return total
}

/** This process's CPU ms so far, all threads. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export interface CpuSplit {
  /** CPU ms per push of each process group; null where it cannot be told apart. */
  serverMs: number | null
  postgresMs: number | null
  loadMs: number
  /** Cores kept busy on average over the phase, all three together; null if one is unknown. */
  coresBusy: number | null
}

/** Starts counting; the returned function ends the count for `pushes` over `wallMs`. */
export function cpuMeter(
  serverPid: number | null,
  backendPid: number | null
): (pushes: number, wallMs: number) => CpuSplit {
  // The postmaster is found once, while the backend surely lives (pool connections time out).
  const postmaster = backendPid === null ? null : postmasterOf(backendPid)
  const server = () => (serverPid === null ? null : processCpuMs(serverPid))
  const postgres = () => (postmaster === null ? null : clusterCpuMs(postmaster))
  const s0 = server()
  const p0 = postgres()
  const l0 = ownCpuMs()
  return (pushes, wallMs) => {
    const s1 = server()
    const p1 = postgres()
    const per = (a: number | null, b: number | null) =>
      a === null || b === null ? null : (b - a) / Math.max(1, pushes)
    const split = {
      serverMs: per(s0, s1),
      postgresMs: per(p0, p1),
      loadMs: (ownCpuMs() - l0) / Math.max(1, pushes)
    }
    // A process that was named but could not be read leaves the total unknown, not smaller.
    const unread =
      (serverPid !== null && split.serverMs === null) ||
      (backendPid !== null && split.postgresMs === null)
    const perPush = (split.serverMs ?? 0) + (split.postgresMs ?? 0) + split.loadMs
    return { ...split, coresBusy: unread ? null : (perPush * pushes) / wallMs }
  }
}
