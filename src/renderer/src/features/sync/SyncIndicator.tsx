import { hrefOf } from '../../app/router'
import { session } from '../../app/session'
import { useT } from '../../i18n'
import { useSyncState } from '../../sync/store'
import { useSyncFacts } from './use-sync-facts'

/** Header badge: sync phase and pending count, a click away from the sync page. */
export function SyncIndicator() {
  const t = useT()
  const phase = useSyncState((s) => s.phase)
  const facts = useSyncFacts()
  const signedIn = session().auth?.signedIn === true
  return (
    <a
      className={`sync-indicator sync-${phase}`}
      href={hrefOf({ page: 'sync' })}
      data-testid="sync-indicator"
    >
      {signedIn ? t(`sync.phase.${phase}`) : t('sync.phase.signedOut')}
      {facts && facts.pending > 0 ? ` · ${t('sync.pending', { n: facts.pending })}` : ''}
    </a>
  )
}
