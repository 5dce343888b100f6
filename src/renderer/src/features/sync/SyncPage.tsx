import { attempt } from '../../app/errors-store'
import { repo, session } from '../../app/session'
import { errorText, formatDateTime, isMessageKey, useLanguage, useT } from '../../i18n'
import { signOut } from '../../sync/account'
import { syncNow } from '../../sync/controller'
import { useSyncState } from '../../sync/store'
import { SignInForm } from './SignInForm'
import { useSyncFacts } from './use-sync-facts'

/** Sync status: pending changes, last success, errors, refusals with reasons, and sign-in/out. */
export function SyncPage() {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const state = useSyncState()
  const facts = useSyncFacts()
  const auth = session().auth

  if (!auth?.signedIn) {
    const problem = session().authProblem
    return (
      <section className="sync-page" aria-labelledby="sync-title">
        <h1 id="sync-title">{t('sync.title')}</h1>
        {problem && (
          <p className="warning" data-testid="auth-unavailable">
            {errorText(language, problem, '')}
          </p>
        )}
        <SignInForm />
      </section>
    )
  }

  return (
    <section className="sync-page" aria-labelledby="sync-title">
      <h1 id="sync-title">{t('sync.title')}</h1>
      <p>
        {t('sync.signedInAs', {
          name: auth.technician?.name ?? '?',
          server: auth.serverUrl ?? '?'
        })}
      </p>
      {auth.keystore === 'development-file' && <p className="hint">{t('sync.keystoreDev')}</p>}
      <p className={`sync-phase sync-${state.phase}`} data-testid="sync-phase" role="status">
        {t(`sync.phase.${state.phase}`)}
      </p>
      {state.lastError && state.phase !== 'idle' && state.phase !== 'syncing' && (
        <p className="warning" data-testid="sync-error">
          {errorText(language, state.lastError.code, state.lastError.detail)}
        </p>
      )}
      <p data-testid="sync-pending">{t('sync.pending', { n: facts?.pending ?? 0 })}</p>
      <p data-testid="sync-last">
        {facts?.lastSyncAt
          ? t('sync.lastSuccess', { at: formatDateTime(language, facts.lastSyncAt) })
          : t('sync.never')}
      </p>
      {state.nextAttemptAt && state.phase !== 'idle' && (
        <p className="hint">
          {t('sync.nextAttempt', {
            at: formatDateTime(language, new Date(state.nextAttemptAt).toISOString())
          })}
        </p>
      )}
      <div className="buttons">
        <button type="button" className="primary" onClick={syncNow}>
          {t('sync.now')}
        </button>
        <button
          type="button"
          onClick={() =>
            void attempt('sync.signOut', async () => {
              await signOut(repo().db)
              location.hash = '#/'
              location.reload()
            })
          }
        >
          {t('sync.signOut')}
        </button>
      </div>
      <h2>{t('sync.rejections')}</h2>
      {facts && facts.rejections.length === 0 && <p className="empty">{t('sync.noRejections')}</p>}
      <ul className="rejections" data-testid="rejections">
        {facts?.rejections.map((r) => {
          const what = `mutation.${r.name}`
          return (
            <li key={r.id}>
              {t('sync.rejection', {
                what: isMessageKey(what) ? t(what) : r.name,
                reason: r.reason
              })}{' '}
              <span className="hint">({formatDateTime(language, r.rejectedAt)})</span>{' '}
              <button
                type="button"
                onClick={() =>
                  void attempt('sync.dismiss', () => repo().db.rejections.delete(r.id))
                }
              >
                {t('sync.dismiss')}
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
