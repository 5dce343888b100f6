import type { Balance, warningFor } from '../../../../shared/domain'
import { formatDate, useLanguage, useT } from '../../i18n'

type Warning = Exclude<ReturnType<typeof warningFor>, 'none'>

export function WarningText({
  warning,
  balance,
  endsOn
}: {
  warning: Warning
  balance: Balance
  endsOn: string
}) {
  const t = useT()
  const language = useLanguage((s) => s.language)
  switch (warning) {
    case 'low':
      return <>{t('balance.warn.low', { n: Math.max(0, balance.remaining) })}</>
    case 'expired':
      return <>{t('balance.warn.expired', { date: formatDate(language, endsOn) })}</>
    case 'exhausted':
      return <>{t('balance.warn.exhausted')}</>
    case 'terminated':
      return <>{t('balance.warn.terminated')}</>
  }
}
