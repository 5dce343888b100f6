import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import { attempt } from '../../app/errors-store'
import { repo } from '../../app/session'
import { countPending } from '../../db/outbox'
import { api } from '../../lib/api'
import { useLanguage, useT, type Language } from '../../i18n'
import { KeyringSection } from './KeyringSection'
import { saveLanguage } from './language'

interface StorageFacts {
  usage: number
  quota: number
  persisted: boolean
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} Mo`
}

export function SettingsPage() {
  const t = useT()
  const language = useLanguage((s) => s.language)
  const info = useLiveQuery(() => api.appInfo().catch(() => null), [])
  const pending = useLiveQuery(() => countPending(repo().db), [])
  const [storage, setStorage] = useState<StorageFacts | null>(null)
  useEffect(() => {
    void (async () => {
      if (!navigator.storage?.estimate) return
      const estimate = await navigator.storage.estimate()
      const persisted = (await navigator.storage.persisted?.()) ?? false
      setStorage({ usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted })
    })()
  }, [])

  return (
    <section className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <label>
        {t('settings.language')}
        <select
          value={language}
          onChange={(e) =>
            void attempt('settings.language', () => saveLanguage(e.target.value as Language))
          }
        >
          <option value="fr">Français</option>
          <option value="en">English</option>
        </select>
      </label>
      <KeyringSection />
      <h2>{t('settings.storage')}</h2>
      <p data-testid="storage-use">
        {storage
          ? t('settings.storageUse', {
              used: megabytes(storage.usage),
              quota: megabytes(storage.quota)
            })
          : t('settings.storageUnknown')}
      </p>
      {storage && (
        <p>
          {storage.persisted ? t('settings.storagePersisted') : t('settings.storageNotPersisted')}
        </p>
      )}
      <p data-testid="pending-count">{t('settings.pending', { n: pending ?? 0 })}</p>
      {info && (
        <dl>
          <dt>{t('settings.dataDir')}</dt>
          <dd data-testid="data-dir">{info.dataDir}</dd>
          <dt>{t('settings.logFile')}</dt>
          <dd>{info.logFile}</dd>
        </dl>
      )}
      {info && (
        <p className="hint">
          {t('settings.version', { version: info.version, host: t(`settings.host.${info.host}`) })}
        </p>
      )}
    </section>
  )
}
