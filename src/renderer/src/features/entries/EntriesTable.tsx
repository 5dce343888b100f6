import { useState } from 'react'
import {
  entriesIssue,
  formatClock,
  spanSeconds,
  unitsFor,
  unitsForSeconds,
  type UnitsPolicy
} from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import { voidEntry } from '../../db/repos/time-entries'
import type { TimeEntryRow } from '../../db/rows'
import { formatDateTime, useLanguage, useT } from '../../i18n'

/** Time entries with their raw time, mode, source, and (voided ones struck through) reasons. */
export function EntriesTable({
  entries,
  policy,
  locked
}: {
  entries: TimeEntryRow[]
  policy: UnitsPolicy
  locked: boolean
}) {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const [voiding, setVoiding] = useState<TimeEntryRow | null>(null)
  const [reason, setReason] = useState('')
  const sorted = [...entries].sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  const active = sorted.filter((e) => !e.voidedAt)
  // An entry edited outside Carnet may break the rule: the table still draws, and says so.
  const issue = entriesIssue(active, policy)
  const totalSeconds = active.reduce((sum, e) => sum + spanSeconds(e), 0)

  return (
    <section aria-labelledby="entries-title">
      <h2 id="entries-title">{t('entries.title')}</h2>
      {sorted.length === 0 ? (
        <p className="empty">{t('entries.empty')}</p>
      ) : (
        <table className="entries" data-testid="entries">
          <thead>
            <tr>
              <th scope="col">{t('entries.start')}</th>
              <th scope="col">{t('entries.end')}</th>
              <th scope="col">{t('entries.duration')}</th>
              <th scope="col">{t('entries.mode')}</th>
              <th scope="col">{t('entries.source')}</th>
              {policy.scope === 'entry' && <th scope="col">{t('entries.units')}</th>}
              <th scope="col">{t('entries.note')}</th>
              <th scope="col">{t('entries.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((e) => {
              const seconds = spanSeconds(e)
              return (
                <tr
                  key={e.id}
                  className={e.voidedAt ? 'voided' : undefined}
                  data-testid="entry-row"
                >
                  <td>{formatDateTime(language, e.startedAt)}</td>
                  <td>{formatDateTime(language, e.endedAt)}</td>
                  <td data-testid="entry-duration">{formatClock(seconds)}</td>
                  <td>{t(`mode.${e.mode}`)}</td>
                  <td>{t(`source.${e.source}`)}</td>
                  {policy.scope === 'entry' && (
                    <td>
                      {e.voidedAt || issue ? t('common.none') : unitsForSeconds(seconds, policy)}
                    </td>
                  )}
                  <td>
                    {e.voidedAt
                      ? t('entries.voided', { reason: e.voidReason ?? '' })
                      : (e.note ?? '')}
                  </td>
                  <td>
                    {!e.voidedAt && !locked && (
                      <button
                        type="button"
                        aria-label={t('entries.voidLabel', {
                          date: formatDateTime(language, e.startedAt)
                        })}
                        onClick={() => {
                          setReason('')
                          setVoiding(e)
                        }}
                      >
                        {t('entries.void')}
                      </button>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <p className="entries-total" data-testid="entries-total">
        {t('entries.total', {
          clock: formatClock(totalSeconds),
          units: issue ? t('common.none') : t('units.count', { n: unitsFor(active, policy) })
        })}
      </p>
      {issue && (
        <p className="warning" role="alert" data-testid="entries-issue">
          {t('entries.unreadable', { reason: t(`error.${issue.code}`) })}
        </p>
      )}
      <Dialog
        open={voiding !== null}
        title={t('entries.voidTitle')}
        onClose={() => setVoiding(null)}
      >
        <form
          onSubmit={(ev) => {
            ev.preventDefault()
            const entry = voiding
            if (!entry) return
            void attempt('entries.void', () => voidEntry(repo(), entry.id, reason)).then(() =>
              setVoiding(null)
            )
          }}
        >
          <p>{t('entries.voidHelp')}</p>
          <label>
            {t('entries.voidReason')}
            <input
              value={reason}
              onChange={(ev) => setReason(ev.target.value)}
              required
              minLength={3}
              maxLength={500}
              autoFocus
            />
          </label>
          <div className="buttons">
            <button type="button" onClick={() => setVoiding(null)}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary">
              {t('entries.void')}
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  )
}
