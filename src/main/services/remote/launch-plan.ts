import { RemoteError } from '../../../shared/remote/remote-error'
import type { RemoteProtocol } from '../../../shared/remote/remote-profile'
import {
  runStep,
  startTracked,
  type LaunchStep,
  type SessionEnd,
  type SpawnFn,
  type TrackedProcess,
  type TrackOptions
} from './process-tracker'
import { createPrivateTempDir } from './temp-file'

/**
 * What every launcher produces: a pure description of the programs to run, which the executor
 * below carries out the same way for RDP, VNC and third-party tools.
 */
export interface LaunchPlan extends LaunchStep {
  /** Files written (0600) into the private temp folder before anything runs. */
  tempFiles: { name: string; path: string; content: string | Uint8Array }[]
  /** Helpers run to completion before the client (Windows `cmdkey /generic`). */
  prepare: LaunchStep[]
  /** Helpers run after the client exits or fails to start (`cmdkey /delete`). */
  cleanup: LaunchStep[]
  /** Codes the UI turns into notes (`rdp.webauthnUnsupported`, `vnc.passwordTruncated`). */
  warnings: string[]
}

export interface RemoteSession extends TrackedProcess {
  protocol: RemoteProtocol
  file: string
  warnings: string[]
  /** The private folder; gone once `ended` has resolved. */
  tempDir: string
  /** pids of every process started for this session, helpers included (for audits and tests). */
  pids: number[]
  /**
   * Runs the cleanup now (the Windows credential deleted, the private folder with its password
   * file removed), the client left running: for an app that quits while a viewer is still open,
   * which would otherwise leave them behind for good. Runs once, whoever asks first.
   */
  release(): Promise<void>
}

/**
 * A password goes through stdin lines or a helper's argv: a line break would end it early and
 * feed the rest to the next prompt, a NUL would truncate it. Refuse both, with no echo.
 */
export function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || /[\0\r\n]/.test(secret) || secret.length > 512) {
    throw new RemoteError(
      'remote.invalidValue',
      'password contains a line break or NUL, or is too long'
    )
  }
}

export interface ExecuteOptions {
  protocol: RemoteProtocol
  env: NodeJS.ProcessEnv
  secrets: string[]
  classify?: TrackOptions['classify']
  tempParent?: string
  spawnFn?: SpawnFn
}

/** Writes the files, runs prepare, starts and tracks the client; always cleans up. */
export async function executePlan(
  makePlan: (tempDir: string) => LaunchPlan,
  options: ExecuteOptions
): Promise<RemoteSession> {
  const temp = createPrivateTempDir('carnet-remote-', options.tempParent)
  const pids: number[] = []
  let plan: LaunchPlan | undefined
  let cleaned = false
  const cleanup = async (): Promise<void> => {
    if (cleaned) return
    cleaned = true
    for (const step of plan?.cleanup ?? []) {
      await runStep(step, { env: options.env, spawnFn: options.spawnFn }).catch(() => undefined)
    }
    temp.remove()
  }
  try {
    plan = makePlan(temp.path)
    for (const f of plan.tempFiles) temp.write(f.name, f.content)
    for (const step of plan.prepare) {
      await runStep(step, { env: options.env, spawnFn: options.spawnFn }).catch(() => {
        throw new RemoteError('remote.credentialFailed', `${step.file} failed`)
      })
    }
    const tracked = await startTracked(plan, {
      env: options.env,
      secrets: options.secrets,
      classify: options.classify,
      onExit: cleanup,
      spawnFn: options.spawnFn
    })
    pids.push(tracked.pid)
    return {
      ...tracked,
      protocol: options.protocol,
      file: plan.file,
      warnings: plan.warnings,
      tempDir: temp.path,
      pids,
      release: cleanup
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}

export type { LaunchStep, SessionEnd }
