import { warningFor } from '../../../../shared/domain'
import { formatDate, useLanguage, useT } from '../../i18n'
import type { ConventionBalance } from './use-balance'
import { WarningText } from './WarningText'

export function BalanceWidget({ data }: { data: ConventionBalance }) {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const { convention, balance } = data
  const warning = warningFor(balance)
  const percent = Math.min(100, Math.round(balance.usedRatio * 100))
  return (
    <section
      className={`balance balance-${balance.state}`}
      aria-labelledby="balance-title"
      data-testid="balance"
    >
      <h2 id="balance-title">{t('balance.title', { number: convention.number })}</h2>
      <p className="balance-state">
        <span className={`badge state-${balance.state}`} data-testid="balance-state">
          {t(`balance.state.${balance.state}`)}
        </span>{' '}
        {t('balance.endsOn', { date: formatDate(language, convention.endsOn) })}
      </p>
      <meter
        min={0}
        max={100}
        low={80}
        high={99}
        optimum={0}
        value={percent}
        aria-label={`${percent} %`}
      />
      <dl className="balance-figures">
        <div>
          <dt>{t('balance.purchased')}</dt>
          <dd>{balance.purchased}</dd>
        </div>
        <div>
          <dt>{t('balance.consumed')}</dt>
          <dd>{balance.consumed}</dd>
        </div>
        <div>
          <dt>{t('balance.pending')}</dt>
          <dd data-testid="balance-pending">{balance.pending}</dd>
        </div>
        <div>
          <dt>{t('balance.remaining')}</dt>
          <dd data-testid="balance-remaining">{balance.remaining}</dd>
        </div>
      </dl>
      {warning !== 'none' && (
        <p className="warning" role="status" data-testid="balance-warning">
          <WarningText warning={warning} balance={balance} endsOn={convention.endsOn} />
        </p>
      )}
    </section>
  )
}
