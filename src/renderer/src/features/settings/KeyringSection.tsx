import { useEffect, useState } from 'react'
import type { VaultStatus } from '../../../../shared/ipc/contract'
import { attempt } from '../../app/errors-store'
import { api } from '../../lib/api'
import { useT } from '../../i18n'

/**
 * Where passwords are kept. On a Linux session without a keyring, Carnet refuses to store
 * secrets unless the technician accepts, in these words, that they would not be protected.
 */
export function KeyringSection() {
  const t = useT()
  const [status, setStatus] = useState<VaultStatus | null>(null)
  useEffect(() => {
    void api.vaultStatus().then(setStatus, () => setStatus(null))
  }, [])
  if (!status) return null
  const choose = (accept: boolean) =>
    void attempt('vault.risk', () => api.vaultAcceptRisk(accept).then(setStatus))
  return (
    <section aria-labelledby="keyring-title">
      <h2 id="keyring-title">{t('keyring.title')}</h2>
      <p data-testid="keyring-backend">
        {status.keystore === 'development-file'
          ? t('sync.keystoreDev')
          : t('keyring.backend', { backend: status.backend })}
      </p>
      {status.insecure && (
        <div className="warning" role="alert">
          <p>{t('keyring.insecure')}</p>
          {status.riskAccepted ? (
            <button type="button" onClick={() => choose(false)}>
              {t('keyring.revoke')}
            </button>
          ) : (
            <button type="button" onClick={() => choose(true)}>
              {t('keyring.accept')}
            </button>
          )}
        </div>
      )}
    </section>
  )
}
