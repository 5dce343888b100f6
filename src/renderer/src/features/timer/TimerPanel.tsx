import { useState } from 'react'
import {
  formatClock,
  warningFor,
  type TimeEntryMode,
  type UnitsPolicy
} from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { repo } from '../../app/session'
import { pauseTimer, resumeTimer, setTimerMode, startTimer, stopTimer } from '../../db/repos/timer'
import type { InterventionRow, TimeEntryRow } from '../../db/rows'
import { useT } from '../../i18n'
import type { ConventionBalance } from '../balance/use-balance'
import { WarningText } from '../balance/WarningText'
import { liveUnits } from './live-units'
import { useNow } from './use-now'
import { useTimer } from './use-timer'

interface Props {
  intervention: InterventionRow
  entries: TimeEntryRow[]
  policy: UnitsPolicy
  balance: ConventionBalance | null | undefined
}

export function TimerPanel({ intervention, entries, policy, balance }: Props) {
  const t = useT()
  const now = useNow()
  const state = useTimer()
  const [mode, setMode] = useState<TimeEntryMode>('onSite')
  const [confirming, setConfirming] = useState(false)
  const timer = state?.timer
  const here = timer?.interventionId === intervention.id ? timer : undefined
  const elsewhere = timer && !here ? state?.intervention : undefined
  const running = here?.state === 'running'
  const currentMode = here?.mode ?? mode
  const locked = intervention.status === 'signed'
  const active = entries.filter((e) => !e.voidedAt)
  const live = liveUnits(active, policy, running ? (here.segmentStartedAt ?? null) : null, now)
  const segment =
    running && here.segmentStartedAt
      ? Math.max(0, (now - Date.parse(here.segmentStartedAt)) / 1000)
      : 0
  const warning = balance ? warningFor(balance.balance) : 'none'

  const start = () =>
    void attempt('timer.start', () => startTimer(repo(), intervention.id, currentMode))
  const onStart = () => (warning !== 'none' ? setConfirming(true) : start())

  return (
    <section className="timer-panel" aria-labelledby="timer-title" data-testid="timer-panel">
      <h2 id="timer-title">{t('timer.title')}</h2>
      <fieldset className="mode" disabled={locked}>
        <legend>{t('timer.mode')}</legend>
        {(['onSite', 'remote'] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              name="timer-mode"
              value={m}
              checked={currentMode === m}
              onChange={() =>
                here ? void attempt('timer.mode', () => setTimerMode(repo(), m)) : setMode(m)
              }
            />
            {t(`mode.${m}`)}
          </label>
        ))}
      </fieldset>
      <p className="units-line" data-testid="units-line" aria-live="off">
        {live ? (
          <>
            <strong data-testid="units-now">{t('units.count', { n: live.units })}</strong>
            {' — '}
            {live.units === 0 && !running
              ? t('units.nextFirst')
              : t('units.next', { ordinal: live.units + 1, clock: formatClock(live.nextIn) })}
          </>
        ) : (
          // A stored entry breaks the rule: the entries table below says which and why.
          <strong data-testid="units-now">{t('common.none')}</strong>
        )}
      </p>
      <p className="timer-clock">
        <span data-testid="timer-state">
          {running
            ? t('timer.running', { clock: formatClock(segment) })
            : here
              ? t('timer.paused')
              : ''}
        </span>{' '}
        <span data-testid="action-total">
          {live ? t('timer.total', { clock: formatClock(live.seconds) }) : ''}
        </span>
      </p>
      {elsewhere && <p className="hint">{t('timer.elsewhere', { title: elsewhere.title })}</p>}
      <div className="buttons">
        {!here && (
          <button type="button" className="primary" onClick={onStart} disabled={locked}>
            {t('timer.start')}
          </button>
        )}
        {running && (
          <button
            type="button"
            onClick={() => void attempt('timer.pause', () => pauseTimer(repo()))}
          >
            {t('timer.pause')}
          </button>
        )}
        {here && !running && (
          <button
            type="button"
            className="primary"
            onClick={() => void attempt('timer.resume', () => resumeTimer(repo()))}
            disabled={locked}
          >
            {t('timer.resume')}
          </button>
        )}
        {here && (
          <button type="button" onClick={() => void attempt('timer.stop', () => stopTimer(repo()))}>
            {t('timer.stop')}
          </button>
        )}
      </div>
      <Dialog
        open={confirming}
        title={t('balance.confirmTitle')}
        onClose={() => setConfirming(false)}
      >
        {balance && warning !== 'none' && (
          <p data-testid="start-warning">
            <WarningText
              warning={warning}
              balance={balance.balance}
              endsOn={balance.convention.endsOn}
            />
          </p>
        )}
        <div className="buttons">
          <button type="button" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setConfirming(false)
              start()
            }}
          >
            {t('balance.confirmStart')}
          </button>
        </div>
      </Dialog>
    </section>
  )
}
