import { formatClock } from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { hrefOf } from '../../app/router'
import { repo } from '../../app/session'
import { pauseTimer, resumeTimer, stopTimer } from '../../db/repos/timer'
import { useT } from '../../i18n'
import { useNow } from './use-now'
import { useTimer } from './use-timer'

/** The running timer, visible from every page so it is never forgotten. */
export function TimerBar() {
  const t = useT()
  const state = useTimer()
  const now = useNow()
  if (!state) return null
  const { timer, intervention } = state
  const running = timer.state === 'running' && timer.segmentStartedAt
  const seconds = running ? Math.max(0, (now - Date.parse(timer.segmentStartedAt ?? '')) / 1000) : 0
  return (
    <div className="timer-bar" role="region" aria-label={t('timer.title')} data-testid="timer-bar">
      <span>{t('timer.bar', { title: intervention?.title ?? '?' })}</span>
      <span className="clock">{running ? formatClock(seconds) : t('timer.paused')}</span>
      <a href={hrefOf({ page: 'detail', id: timer.interventionId })}>{t('timer.open')}</a>
      {running ? (
        <button type="button" onClick={() => void attempt('timer.pause', () => pauseTimer(repo()))}>
          {t('timer.pause')}
        </button>
      ) : (
        <button
          type="button"
          onClick={() => void attempt('timer.resume', () => resumeTimer(repo()))}
        >
          {t('timer.resume')}
        </button>
      )}
      <button type="button" onClick={() => void attempt('timer.stop', () => stopTimer(repo()))}>
        {t('timer.stop')}
      </button>
    </div>
  )
}
