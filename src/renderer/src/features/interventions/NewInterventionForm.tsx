import { useLiveQuery } from 'dexie-react-hooks'
import { useState, type FormEvent } from 'react'
import {
  INTERVENTION_KINDS,
  INTERVENTION_ORIGINS,
  PRIORITIES,
  warningFor,
  type InterventionKind,
  type InterventionOrigin,
  type Priority
} from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { navigate } from '../../app/router'
import { repo } from '../../app/session'
import { createIntervention } from '../../db/repos/interventions'
import { useT } from '../../i18n'
import { useBalance } from '../balance/use-balance'
import { WarningText } from '../balance/WarningText'
import { useReference } from './use-reference'
import type { SiteRow } from '../../db/rows'

export function NewInterventionForm() {
  const t = useT()
  const reference = useReference()
  const [collectiviteId, setCollectiviteId] = useState('')
  const [conventionId, setConventionId] = useState('')
  const [kind, setKind] = useState<InterventionKind>('curative')
  const [origin, setOrigin] = useState<InterventionOrigin>('phone')
  const [priority, setPriority] = useState<Priority>('normal')
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [siteId, setSiteId] = useState('')
  const [scheduledFor, setScheduledFor] = useState('')
  const sites = useLiveQuery<SiteRow[]>(
    () =>
      collectiviteId
        ? repo().db.sites.where('collectiviteId').equals(collectiviteId).toArray()
        : Promise.resolve([]),
    [collectiviteId]
  )
  const conventions =
    reference?.conventions.filter((c) => c.collectiviteId === collectiviteId) ?? []
  const balance = useBalance(conventionId || undefined)
  const warning = balance ? warningFor(balance.balance) : 'none'

  const chooseCollectivite = (id: string) => {
    setCollectiviteId(id)
    setSiteId('')
    const own = reference?.conventions.filter((c) => c.collectiviteId === id) ?? []
    // Most agreements are one per municipality: preselect it.
    setConventionId(own.length === 1 ? (own[0]?.id ?? '') : '')
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void attempt('intervention.create', () =>
      createIntervention(repo(), {
        collectiviteId,
        conventionId,
        kind,
        origin,
        priority,
        title,
        description,
        siteId: siteId || null,
        scheduledFor: scheduledFor || null
      })
    ).then((id) => {
      if (id) navigate({ page: 'detail', id })
    })
  }

  return (
    <form className="new-intervention" onSubmit={submit} aria-labelledby="new-title">
      <h1 id="new-title">{t('new.title')}</h1>
      <label>
        {t('new.collectivite')}
        <select
          required
          value={collectiviteId}
          onChange={(e) => chooseCollectivite(e.target.value)}
        >
          <option value="">{t('new.choose')}</option>
          {reference?.collectivites.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('new.convention')}
        <select required value={conventionId} onChange={(e) => setConventionId(e.target.value)}>
          <option value="">{t('new.choose')}</option>
          {conventions.map((c) => (
            <option key={c.id} value={c.id}>
              {c.number}
            </option>
          ))}
        </select>
      </label>
      {collectiviteId && conventions.length === 0 && (
        <p className="warning">{t('new.noConvention')}</p>
      )}
      {balance && warning !== 'none' && (
        <p className="warning" role="status" data-testid="new-warning">
          <WarningText
            warning={warning}
            balance={balance.balance}
            endsOn={balance.convention.endsOn}
          />
        </p>
      )}
      <label>
        {t('new.titleField')}
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <div className="row">
        <label>
          {t('new.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as InterventionKind)}>
            {INTERVENTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('new.origin')}
          <select value={origin} onChange={(e) => setOrigin(e.target.value as InterventionOrigin)}>
            {INTERVENTION_ORIGINS.map((o) => (
              <option key={o} value={o}>
                {t(`origin.${o}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('new.priority')}
          <select value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          {t('new.site')}
          <select value={siteId} onChange={(e) => setSiteId(e.target.value)}>
            <option value="">{t('common.none')}</option>
            {sites?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('new.scheduledFor')}
          <input
            type="date"
            value={scheduledFor}
            onChange={(e) => setScheduledFor(e.target.value)}
          />
        </label>
      </div>
      <label>
        {t('new.description')}
        <textarea
          rows={5}
          maxLength={10000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <button type="submit" className="primary">
        {t('new.create')}
      </button>
    </form>
  )
}
