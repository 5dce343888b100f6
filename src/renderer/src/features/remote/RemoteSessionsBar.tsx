import { attempt } from '../../app/errors-store'
import { hrefOf } from '../../app/router'
import { api } from '../../lib/api'
import { useT } from '../../i18n'
import { useRemote } from './store'

/**
 * Open remote sessions, visible from every page. A web page or a third-party tool handed to the
 * desktop has no process Carnet can watch: its session lasts until the technician ends it here.
 */
export function RemoteSessionsBar() {
  const t = useT()
  const active = Object.values(useRemote((s) => s.active))
  if (active.length === 0) return null
  return (
    <div
      className="timer-bar remote-bar"
      role="region"
      aria-label={t('remote.active')}
      data-testid="remote-sessions"
    >
      {active.map((s) => (
        <span key={s.sessionId} className="remote-session">
          {t('remote.session', { protocol: t(`protocol.${s.protocol}`), asset: s.assetName })}{' '}
          {s.protocol === 'ssh' && (
            <a href={hrefOf({ page: 'terminal', id: s.sessionId })}>{t('timer.open')}</a>
          )}{' '}
          <button
            type="button"
            onClick={() => void attempt('remote.end', () => api.remoteEnd(s.sessionId))}
          >
            {t('remote.end')}
          </button>
        </span>
      ))}
    </div>
  )
}
