import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import { openSession } from './app/session'
import { restoreLanguage } from './features/settings/language'
import { startSync } from './sync/controller'
import { listenToRemoteEvents } from './features/remote/terminal-bus'
import { translate } from './i18n'
import { reportError } from './lib/report-error'
import './styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)

window.addEventListener('unhandledrejection', (event) =>
  reportError(event.reason, 'unhandledrejection')
)
window.addEventListener('error', (event) =>
  reportError(event.error ?? event.message, 'window.error')
)

void openSession()
  .then(async (opened) => {
    await restoreLanguage()
    if (opened.auth?.signedIn) startSync(opened.ctx.db)
    listenToRemoteEvents()
  })
  .then(() => {
    root.render(
      <StrictMode>
        <App />
      </StrictMode>
    )
    // The e2e tests and the bench wait on this marker rather than on timeouts.
    document.body.dataset['ready'] = 'true'
  })
  .catch((error: unknown) => {
    const facing = reportError(error, 'startup')
    root.render(
      <p role="alert" className="error-banner">
        {translate('fr', 'app.startFailed')} ({facing.code})
      </p>
    )
  })
