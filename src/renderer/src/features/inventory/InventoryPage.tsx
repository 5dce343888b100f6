import { useLiveQuery } from 'dexie-react-hooks'
import { useState } from 'react'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import { deleteRemoteProfile } from '../../db/repos/remote'
import type { AssetRow, RemoteProfileRow } from '../../db/rows'
import { api } from '../../lib/api'
import { useT } from '../../i18n'
import { ConnectDialog } from '../remote/ConnectDialog'
import { RemoteProfileForm } from '../remote/RemoteProfileForm'

/** The municipalities' equipment, with remote access one click away. */
export function InventoryPage() {
  const t = useT()
  const data = useLiveQuery(async () => {
    const { db } = repo()
    const [collectivites, assets, profiles] = await Promise.all([
      db.collectivites.orderBy('name').toArray(),
      db.assets.toArray(),
      db.remoteProfiles.toArray()
    ])
    return { collectivites, assets, profiles }
  }, [])
  const [adding, setAdding] = useState<AssetRow | null>(null)
  const [connecting, setConnecting] = useState<{ row: RemoteProfileRow; asset: AssetRow } | null>(
    null
  )

  const remove = (row: RemoteProfileRow) =>
    void attempt('remote.removeProfile', async () => {
      if (row.credentialRef) await api.credentialDelete(row.credentialRef)
      await deleteRemoteProfile(repo(), row.id)
    })

  return (
    <section className="inventory" aria-labelledby="inventory-title">
      <h1 id="inventory-title">{t('inventory.title')}</h1>
      {data?.collectivites.map((c) => {
        const assets = data.assets
          .filter((a) => a.collectiviteId === c.id)
          .sort((a, b) => a.name.localeCompare(b.name))
        return (
          <section key={c.id} aria-label={c.name}>
            <h2>{c.name}</h2>
            {assets.length === 0 && <p className="empty">{t('inventory.empty')}</p>}
            <ul className="assets">
              {assets.map((asset) => (
                <li key={asset.id} className="asset" data-testid="asset">
                  <div>
                    <strong>{asset.name}</strong>{' '}
                    <span className="badge">{t(`category.${asset.category}`)}</span>{' '}
                    {asset.critical && (
                      <span className="badge state-exhausted">{t('inventory.critical')}</span>
                    )}
                    <span className="hint">
                      {asset.os ? ` · ${t('inventory.os')} : ${asset.os}` : ''}
                      {asset.addresses?.length
                        ? ` · ${t('inventory.addresses')} : ${asset.addresses.join(', ')}`
                        : ''}
                    </span>
                  </div>
                  <ul className="profiles">
                    {data.profiles
                      .filter((p) => p.assetId === asset.id)
                      .map((p) => (
                        <li key={p.id}>
                          <span>{p.label}</span>{' '}
                          <span className="hint">
                            {[p.username, p.host || p.remoteId].filter(Boolean).join('@')}
                          </span>{' '}
                          <button
                            type="button"
                            className="primary"
                            onClick={() => setConnecting({ row: p, asset })}
                          >
                            {t('inventory.connect', { protocol: p.protocol.toUpperCase() })}
                          </button>{' '}
                          <button type="button" onClick={() => remove(p)}>
                            {t('inventory.remove')}
                          </button>
                          {p.credentialRef && (
                            <span className="hint"> {t('profile.secretKept')}</span>
                          )}
                        </li>
                      ))}
                  </ul>
                  <button type="button" onClick={() => setAdding(asset)}>
                    {t('inventory.addAccess')}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )
      })}
      <Dialog
        open={adding !== null}
        title={adding ? t('profile.title', { asset: adding.name }) : ''}
        onClose={() => setAdding(null)}
      >
        {adding && <RemoteProfileForm asset={adding} onDone={() => setAdding(null)} />}
      </Dialog>
      <ConnectDialog target={connecting} onClose={() => setConnecting(null)} />
    </section>
  )
}
