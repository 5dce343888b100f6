import { GapPrompt } from '../features/timer/GapPrompt'
import { TimerBar } from '../features/timer/TimerBar'
import { InterventionDetail } from '../features/interventions/InterventionDetail'
import { InterventionList } from '../features/interventions/InterventionList'
import { NewInterventionForm } from '../features/interventions/NewInterventionForm'
import { SettingsPage } from '../features/settings/SettingsPage'
import { SyncIndicator } from '../features/sync/SyncIndicator'
import { SyncPage } from '../features/sync/SyncPage'
import { InventoryPage } from '../features/inventory/InventoryPage'
import { HostKeyDialog } from '../features/remote/HostKeyDialog'
import { SessionEndDialog } from '../features/remote/SessionEndDialog'
import { TerminalPage } from '../features/remote/TerminalPage'
import { RemoteSessionsBar } from '../features/remote/RemoteSessionsBar'
import { errorText, useLanguage, useT } from '../i18n'
import { ErrorBoundary } from './ErrorBoundary'
import { useErrors } from './errors-store'
import { hrefOf, useRoute } from './router'
import { session } from './session'

function ErrorBanner() {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const { error, clear } = useErrors()
  if (!error) return null
  return (
    <div className="error-banner" role="alert" data-testid="error" data-code={error.code}>
      <span>{errorText(language, error.code, error.detail)}</span>
      <button type="button" onClick={clear} aria-label={t('error.dismiss')}>
        ×
      </button>
    </div>
  )
}

export function App() {
  const t = useT()
  const route = useRoute()
  const { demo } = session()
  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href={hrefOf({ page: 'list' })}>
          {t('app.title')}
        </a>
        <nav aria-label={t('nav.main')}>
          <a
            href={hrefOf({ page: 'list' })}
            aria-current={route.page === 'list' ? 'page' : undefined}
          >
            {t('nav.interventions')}
          </a>
          <a
            href={hrefOf({ page: 'new' })}
            aria-current={route.page === 'new' ? 'page' : undefined}
          >
            {t('nav.new')}
          </a>
          <a
            href={hrefOf({ page: 'inventory' })}
            aria-current={route.page === 'inventory' ? 'page' : undefined}
          >
            {t('nav.inventory')}
          </a>
          <a
            href={hrefOf({ page: 'settings' })}
            aria-current={route.page === 'settings' ? 'page' : undefined}
          >
            {t('nav.settings')}
          </a>
        </nav>
        <SyncIndicator />
        {demo && (
          <span className="demo-badge" data-testid="demo-badge">
            {t('app.demoBadge')}
          </span>
        )}
      </header>
      <TimerBar />
      <RemoteSessionsBar />
      <ErrorBanner />
      <main>
        <ErrorBoundary
          key={hrefOf(route)}
          fallback={(retry) => (
            <div role="alert" className="error-banner" data-testid="page-error">
              <span>{t('error.app.unexpected')}</span>
              <button type="button" onClick={retry}>
                {t('common.retry')}
              </button>
            </div>
          )}
        >
          {route.page === 'list' && <InterventionList />}
          {route.page === 'new' && <NewInterventionForm />}
          {route.page === 'settings' && <SettingsPage />}
          {route.page === 'sync' && <SyncPage />}
          {route.page === 'inventory' && <InventoryPage />}
          {route.page === 'terminal' && <TerminalPage id={route.id} />}
          {route.page === 'detail' && <InterventionDetail key={route.id} id={route.id} />}
        </ErrorBoundary>
      </main>
      <GapPrompt />
      <HostKeyDialog />
      <SessionEndDialog />
    </div>
  )
}
