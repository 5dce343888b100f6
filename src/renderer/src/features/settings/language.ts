import { repo } from '../../app/session'
import { useLanguage, type Language } from '../../i18n'

const KEY = 'language'

export async function saveLanguage(language: Language): Promise<void> {
  await repo().db.meta.put({ key: KEY, value: language })
  useLanguage.getState().setLanguage(language)
}

export async function restoreLanguage(): Promise<void> {
  const stored = (await repo().db.meta.get(KEY))?.value
  if (stored === 'fr' || stored === 'en') useLanguage.getState().setLanguage(stored)
}
