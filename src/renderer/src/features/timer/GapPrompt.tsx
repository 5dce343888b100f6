import { useEffect, useState } from 'react'
import { formatClock } from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import {
  detectGap,
  heartbeat,
  HEARTBEAT_MS,
  resolveGap,
  type GapChoice
} from '../../db/repos/timer'
import { api } from '../../lib/api'
import { formatDateTime, useLanguage, useT } from '../../i18n'
import { useNow } from './use-now'
import { useTimer } from './use-timer'
import { useRemote } from '../remote/store'

/** `<input type="datetime-local">` value of an instant, in the laptop's zone. */
function localInputValue(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/**
 * Keeps the running timer's heartbeat, and when the app comes back after a long silence (sleep,
 * closed, crashed) asks what to do with the gap instead of silently billing or dropping it.
 */
export function GapPrompt() {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const state = useTimer()
  const now = useNow(5000)
  const [splitAt, setSplitAt] = useState('')
  // Work through a remote session happens elsewhere: no idle question while one is open.
  const remoteOpen = useRemote((s) => Object.keys(s.active).length > 0)
  const gap = remoteOpen ? null : detectGap(state?.timer, now)

  useEffect(() => {
    const beat = () => void heartbeat(repo()).catch(() => undefined)
    beat()
    const id = setInterval(beat, HEARTBEAT_MS)
    const offResume = (() => {
      try {
        return api.onPowerResume(beat)
      } catch {
        return () => undefined
      }
    })()
    document.addEventListener('visibilitychange', beat)
    return () => {
      clearInterval(id)
      offResume()
      document.removeEventListener('visibilitychange', beat)
    }
  }, [])

  if (!gap) return null
  const gapSeconds = (Date.parse(gap.to) - Date.parse(gap.from)) / 1000
  const choose = (choice: GapChoice, at?: string) =>
    void attempt('timer.gap', () => resolveGap(repo(), choice, at))
  return (
    <Dialog open dismissable={false} title={t('gap.title')} onClose={() => undefined}>
      <p data-testid="gap-body">
        {t('gap.body', {
          from: formatDateTime(language, gap.from),
          to: formatDateTime(language, gap.to),
          clock: formatClock(gapSeconds)
        })}
      </p>
      <div className="buttons">
        <button type="button" onClick={() => choose('keep')}>
          {t('gap.keep')}
        </button>
        <button type="button" onClick={() => choose('drop')}>
          {t('gap.drop')}
        </button>
      </div>
      <form
        className="gap-split"
        onSubmit={(e) => {
          e.preventDefault()
          if (splitAt)
            choose(
              'split',
              new Date(Math.max(Date.parse(gap.from), new Date(splitAt).getTime())).toISOString()
            )
        }}
      >
        <label>
          {t('gap.splitAt')}
          <input
            type="datetime-local"
            required
            min={localInputValue(Date.parse(gap.from))}
            max={localInputValue(Date.parse(gap.to))}
            value={splitAt}
            onChange={(e) => setSplitAt(e.target.value)}
          />
        </label>
        <button type="submit">{t('gap.splitApply')}</button>
      </form>
    </Dialog>
  )
}
