import { useLiveQuery } from 'dexie-react-hooks'
import { useState } from 'react'
import { formatClock } from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import { recordRemoteSession } from '../../db/repos/remote'
import { errorText, useLanguage, useT } from '../../i18n'
import { settleWhenRecorded, useRemote } from './store'

/**
 * When a session ends, its time is proposed as a remote entry — never recorded without the
 * technician's confirmation. The session itself is logged either way.
 */
export function SessionEndDialog() {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const next = useRemote((s) => s.ended[0])
  const [note, setNote] = useState('')
  const [choice, setChoice] = useState<string | null>(null)
  const interventions = useLiveQuery(async () => {
    if (!next) return []
    const asset = await repo().db.assets.get(next.session.assetId)
    if (!asset) return []
    return (
      await repo().db.interventions.where('collectiviteId').equals(asset.collectiviteId).toArray()
    ).filter((i) => i.status !== 'signed')
  }, [next?.session.sessionId])
  if (!next) return null
  const { session, ended } = next
  const interventionId = choice ?? session.interventionId ?? ''
  const seconds = Math.max(0, (Date.parse(ended.endedAt) - Date.parse(ended.startedAt)) / 1000)
  const settle = (billed: boolean) =>
    void attempt('remote.record', () =>
      settleWhenRecorded(session.sessionId, () =>
        recordRemoteSession(repo(), ended, {
          assetId: session.assetId,
          interventionId: interventionId || null,
          billed,
          note
        })
      )
    ).then((recorded) => {
      if (!recorded) return
      setNote('')
      setChoice(null)
    })

  return (
    <Dialog open dismissable={false} title={t('ended.title')} onClose={() => undefined}>
      <p data-testid="session-ended">
        {t('ended.body', {
          protocol: t(`protocol.${ended.protocol}`),
          asset: session.assetName,
          clock: formatClock(seconds)
        })}
      </p>
      {ended.outcome === 'failed' && (
        <p className="warning">
          {t('ended.failed', {
            detail: ended.code
              ? errorText(language, ended.code, ended.detail ?? '')
              : (ended.detail ?? '')
          })}
        </p>
      )}
      <label>
        {t('connect.intervention')}
        <select value={interventionId} onChange={(e) => setChoice(e.target.value)}>
          <option value="">{t('connect.none')}</option>
          {interventions?.map((i) => (
            <option key={i.id} value={i.id}>
              {i.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('ended.note')}
        <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="button" onClick={() => settle(false)}>
          {t('ended.skip')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!interventionId || seconds < 1}
          onClick={() => settle(true)}
        >
          {t('ended.add')}
        </button>
      </div>
    </Dialog>
  )
}
