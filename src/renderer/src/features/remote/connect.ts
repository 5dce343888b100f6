import type { RemoteProfileInput } from '../../../../shared/remote/remote-profile'
import { navigate } from '../../app/router'
import type { AssetRow, RemoteProfileRow } from '../../db/rows'
import { api } from '../../lib/api'
import { useRemote } from './store'

/** The stored row → what the main process validates again (empty fields left out). */
export function profileOf(row: RemoteProfileRow): RemoteProfileInput {
  return {
    protocol: row.protocol,
    ...(row.host ? { host: row.host } : {}),
    ...(row.port ? { port: row.port } : {}),
    ...(row.username ? { username: row.username } : {}),
    ...(row.domain ? { domain: row.domain } : {}),
    ...(row.remoteId ? { remoteId: row.remoteId } : {}),
    ...(row.url ? { url: row.url } : {}),
    ...(row.credentialRef ? { credentialRef: row.credentialRef } : {}),
    options: (row.options ?? {}) as RemoteProfileInput['options']
  }
}

/** Starts a session; SSH opens a terminal tab in the app, the others an external client. */
export async function connect(
  row: RemoteProfileRow,
  asset: AssetRow,
  interventionId: string | null
): Promise<void> {
  const profile = profileOf(row)
  const label = `${asset.name} — ${row.label}`
  const started =
    row.protocol === 'ssh'
      ? await api.sshOpen({ profile, label, cols: 100, rows: 30 })
      : await api.remoteLaunch({ profile, label })
  useRemote.getState().started({
    sessionId: started.sessionId,
    protocol: row.protocol,
    assetId: asset.id,
    assetName: asset.name,
    interventionId,
    startedAt: started.startedAt
  })
  if (row.protocol === 'ssh') navigate({ page: 'terminal', id: started.sessionId })
}
