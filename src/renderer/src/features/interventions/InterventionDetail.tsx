import { useLiveQuery } from 'dexie-react-hooks'
import {
  allowedTransitions,
  DEFAULT_POLICY,
  type InterventionStatus
} from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { hrefOf } from '../../app/router'
import { repo } from '../../app/session'
import { setInterventionStatus } from '../../db/repos/interventions'
import { formatDate, useLanguage, useT } from '../../i18n'
import { BalanceWidget } from '../balance/BalanceWidget'
import { useBalance } from '../balance/use-balance'
import { EntriesTable } from '../entries/EntriesTable'
import { ManualEntryForm } from '../entries/ManualEntryForm'
import { TimerPanel } from '../timer/TimerPanel'
import { InterventionText } from './InterventionText'

export function InterventionDetail({ id }: { id: string }) {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const data = useLiveQuery(async () => {
    const { db } = repo()
    const intervention = await db.interventions.get(id)
    if (!intervention) return null
    const [entries, convention, collectivite, site, assets] = await Promise.all([
      db.timeEntries.where('interventionId').equals(id).toArray(),
      db.conventions.get(intervention.conventionId),
      db.collectivites.get(intervention.collectiviteId),
      intervention.siteId ? db.sites.get(intervention.siteId) : undefined,
      db.assets.bulkGet(intervention.assetIds)
    ])
    return {
      intervention,
      entries,
      convention,
      collectivite,
      site,
      assets: assets.filter((a) => a !== undefined)
    }
  }, [id])
  const balance = useBalance(data?.intervention.conventionId)

  if (data === undefined) return <p>{t('app.loading')}</p>
  if (data === null)
    return (
      <p role="alert">
        {t('detail.notFound')} <a href={hrefOf({ page: 'list' })}>{t('detail.back')}</a>
      </p>
    )

  const { intervention, entries, convention, collectivite, site, assets } = data
  const policy = convention?.policy ?? DEFAULT_POLICY
  const locked = intervention.status === 'signed'
  const changeStatus = (to: InterventionStatus) => {
    if (to === 'signed' && !window.confirm(t('status.signConfirm'))) return
    void attempt('intervention.status', () => setInterventionStatus(repo(), intervention.id, to))
  }

  return (
    <article className="detail" aria-labelledby="detail-title">
      <p>
        <a href={hrefOf({ page: 'list' })}>← {t('detail.back')}</a>
      </p>
      <header className="detail-header">
        <h1 id="detail-title">{intervention.title}</h1>
        <p className="detail-meta">
          {collectivite?.name} ·{' '}
          {convention ? t('detail.convention', { number: convention.number }) : ''} ·{' '}
          {t(`kind.${intervention.kind}`)} · {t('detail.origin')} :{' '}
          {t(`origin.${intervention.origin}`)} · {t('detail.priority')} :{' '}
          {t(`priority.${intervention.priority}`)}
          {intervention.scheduledFor
            ? ` · ${t('detail.scheduledFor')} ${formatDate(language, intervention.scheduledFor)}`
            : ''}
        </p>
        <p>
          <span className={`badge status-${intervention.status}`} data-testid="status">
            {t(`status.${intervention.status}`)}
          </span>
          {locked && <span className="hint"> {t('detail.locked')}</span>}
        </p>
        <div className="buttons" role="group" aria-label={t('detail.statusActions')}>
          {allowedTransitions(intervention.status).map((to) => (
            <button type="button" key={to} onClick={() => changeStatus(to)}>
              {t(`status.to.${to}`)}
            </button>
          ))}
        </div>
      </header>
      <div className="detail-grid">
        <div className="detail-main">
          <TimerPanel
            intervention={intervention}
            entries={entries}
            policy={policy}
            balance={balance}
          />
          <EntriesTable entries={entries} policy={policy} locked={locked} />
          <ManualEntryForm interventionId={intervention.id} disabled={locked} />
          <InterventionText
            key={`${intervention.id}:${intervention.version}`}
            intervention={intervention}
            locked={locked}
          />
        </div>
        <aside className="detail-side">
          {balance && <BalanceWidget data={balance} />}
          <section aria-labelledby="where-title">
            <h2 id="where-title">{t('detail.site')}</h2>
            <p>
              {site ? `${site.name}${site.address ? ` — ${site.address}` : ''}` : t('common.none')}
            </p>
            <h3>{t('detail.assets')}</h3>
            {assets.length ? (
              <ul>
                {assets.map((a) => (
                  <li key={a.id}>
                    {a.name} {a.critical ? '⚠' : ''}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('common.none')}</p>
            )}
          </section>
        </aside>
      </div>
    </article>
  )
}
