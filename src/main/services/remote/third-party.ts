import { RemoteError } from '../../../shared/remote/remote-error'
import type { RemoteProfile, ThirdPartyTool } from '../../../shared/remote/remote-profile'
import { THIRD_PARTY_TOOLS, buildThirdPartyUrl } from '../../../shared/remote/third-party-url'
import { validateRemoteId } from '../../../shared/remote/remote-validate'
import { findExecutable } from './launch-path'
import { executePlan, type LaunchPlan, type RemoteSession } from './launch-plan'
import type { SpawnFn } from './process-tracker'

/**
 * AnyDesk, RustDesk and TeamViewer by ID. When the tool's program is on PATH it runs with the
 * vendor's argv template (and its process times the session); otherwise the tool's URL scheme
 * goes to the opener the caller provides (the app's checked openExternal), untracked.
 * No password is ever passed: these tools ask for it themselves, in their own window.
 */
export type ThirdPartyPlan = { kind: 'argv'; plan: LaunchPlan } | { kind: 'url'; url: string }

function toolOf(profile: RemoteProfile): ThirdPartyTool {
  if (profile.protocol === 'anydesk' || profile.protocol === 'rustdesk') return profile.protocol
  if (profile.protocol === 'teamviewer') return profile.protocol
  throw new RemoteError('remote.unsupportedProtocol', `not a third-party tool: ${profile.protocol}`)
}

/** Pure: `program` is the tool's path when installed on PATH, undefined otherwise. */
export function planThirdPartyLaunch(profile: RemoteProfile, program?: string): ThirdPartyPlan {
  const tool = toolOf(profile)
  const id = validateRemoteId(profile.remoteId)
  if (!program) return { kind: 'url', url: buildThirdPartyUrl(tool, id) }
  return {
    kind: 'argv',
    plan: {
      file: program,
      args: THIRD_PARTY_TOOLS[tool].argv(id),
      tempFiles: [],
      prepare: [],
      cleanup: [],
      warnings: []
    }
  }
}

export interface LaunchThirdPartyOptions {
  profile: RemoteProfile
  /** The app's checked opener; it decides whether the scheme is allowed. */
  openUrl: (url: string) => Promise<boolean>
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  spawnFn?: SpawnFn
}

/** A tracked session when the program ran, `{ opened }` when only the URL could be handed on. */
export async function launchThirdParty(
  options: LaunchThirdPartyOptions
): Promise<{ session: RemoteSession } | { opened: boolean; url: string }> {
  const env = options.env ?? process.env
  const tool = toolOf(options.profile)
  const program = findExecutable(THIRD_PARTY_TOOLS[tool].binaries, {
    path: env.PATH ?? '',
    platform: options.platform ?? process.platform,
    pathExt: env.PATHEXT
  })
  const planned = planThirdPartyLaunch(options.profile, program)
  if (planned.kind === 'url')
    return { opened: await options.openUrl(planned.url), url: planned.url }
  const session = await executePlan(() => planned.plan, {
    protocol: tool,
    env,
    secrets: [],
    spawnFn: options.spawnFn
  })
  return { session }
}
