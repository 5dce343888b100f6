import { useLiveQuery } from 'dexie-react-hooks'
import { useState } from 'react'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import type { AssetRow, InterventionRow, RemoteProfileRow } from '../../db/rows'
import { useT } from '../../i18n'
import { connect } from './connect'

/**
 * Before a session starts: which intervention its time belongs to — the running timer's when it
 * is for this municipality, else the technician picks (or chooses not to count it).
 */
export function ConnectDialog({
  target,
  onClose
}: {
  target: { row: RemoteProfileRow; asset: AssetRow } | null
  onClose: () => void
}) {
  const t = useT()
  const options = useLiveQuery(async () => {
    if (!target) return { interventions: [] as InterventionRow[], preferred: '' }
    const { db, technicianId } = repo()
    const interventions = (
      await db.interventions.where('collectiviteId').equals(target.asset.collectiviteId).toArray()
    ).filter((i) => i.status !== 'signed' && i.status !== 'done')
    const timer = await db.timers.get(technicianId)
    const preferred =
      interventions.find((i) => i.id === timer?.interventionId)?.id ??
      interventions.find((i) => i.assetIds.includes(target.asset.id))?.id ??
      ''
    return { interventions, preferred }
  }, [target])
  const [choice, setChoice] = useState<string | null>(null)
  const selected = choice ?? options?.preferred ?? ''

  return (
    <Dialog
      open={target !== null}
      title={target ? t('connect.title', { asset: target.asset.name }) : ''}
      onClose={onClose}
    >
      {target && (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void attempt('remote.connect', () =>
              connect(target.row, target.asset, selected || null)
            ).then(() => {
              setChoice(null)
              onClose()
            })
          }}
        >
          <label>
            {t('connect.intervention')}
            <select value={selected} onChange={(e) => setChoice(e.target.value)}>
              <option value="">{t('connect.none')}</option>
              {options?.interventions.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.title}
                </option>
              ))}
            </select>
          </label>
          <div className="buttons">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary">
              {t('connect.start')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
