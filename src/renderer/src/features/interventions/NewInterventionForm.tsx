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
import { ChoiceSelect } from '../../app/ChoiceSelect'
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
      <ChoiceSelect
        label={t('new.collectivite')}
        required
        value={collectiviteId}
        empty={t('new.choose')}
        choices={reference?.collectivites.map((c) => ({ value: c.id, label: c.name })) ?? []}
        onChange={chooseCollectivite}
      />
      <ChoiceSelect
        label={t('new.convention')}
        required
        value={conventionId}
        empty={t('new.choose')}
        choices={conventions.map((c) => ({ value: c.id, label: c.number }))}
        onChange={setConventionId}
      />
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
        <ChoiceSelect
          label={t('new.kind')}
          value={kind}
          choices={INTERVENTION_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
          onChange={(v) => v && setKind(v)}
        />
        <ChoiceSelect
          label={t('new.origin')}
          value={origin}
          choices={INTERVENTION_ORIGINS.map((o) => ({ value: o, label: t(`origin.${o}`) }))}
          onChange={(v) => v && setOrigin(v)}
        />
        <ChoiceSelect
          label={t('new.priority')}
          value={priority}
          choices={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
          onChange={(v) => v && setPriority(v)}
        />
      </div>
      <div className="row">
        <ChoiceSelect
          label={t('new.site')}
          value={siteId}
          empty={t('common.none')}
          choices={sites?.map((site) => ({ value: site.id, label: site.name })) ?? []}
          onChange={setSiteId}
        />
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
