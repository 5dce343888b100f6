import type { ThirdPartyTool } from './remote-profile'
import { validateRemoteId } from './remote-validate'

/**
 * URL schemes and argv templates of the third-party remote-support tools, from their vendors'
 * documentation. The ID is validated to letters and digits first, so neither a URL nor an argv
 * entry can carry anything but the ID (no `&password=`, no `--option`).
 */
export const THIRD_PARTY_TOOLS: Record<
  ThirdPartyTool,
  {
    label: string
    url: (id: string) => string
    binaries: readonly string[]
    argv: (id: string) => string[]
  }
> = {
  anydesk: {
    label: 'AnyDesk',
    url: (id) => `anydesk:${id}`,
    binaries: ['anydesk', 'AnyDesk.exe'],
    argv: (id) => [id]
  },
  rustdesk: {
    label: 'RustDesk',
    url: (id) => `rustdesk://connection/new/${id}`,
    binaries: ['rustdesk', 'rustdesk.exe'],
    argv: (id) => ['--connect', id]
  },
  teamviewer: {
    label: 'TeamViewer',
    url: (id) => `teamviewer10://control?device=${id}`,
    binaries: ['teamviewer', 'TeamViewer.exe'],
    argv: (id) => ['--id', id]
  }
}

/** The tool's URL for an ID; throws `remote.invalidId` for anything but letters and digits. */
export function buildThirdPartyUrl(tool: ThirdPartyTool, rawId: string): string {
  return THIRD_PARTY_TOOLS[tool].url(validateRemoteId(rawId))
}

/** Matches exactly the URLs `buildThirdPartyUrl` makes, for the checked openExternal predicate. */
export function isThirdPartyUrl(raw: string): boolean {
  return (
    /^anydesk:[A-Za-z0-9]{1,64}$/.test(raw) ||
    /^rustdesk:\/\/connection\/new\/[A-Za-z0-9]{1,64}$/.test(raw) ||
    /^teamviewer10:\/\/control\?device=[A-Za-z0-9]{1,64}$/.test(raw)
  )
}
