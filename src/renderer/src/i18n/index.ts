import { create } from 'zustand'
import { en } from './en'
import { fr, type MessageKey } from './fr'

export type Language = 'fr' | 'en'
export type { MessageKey }

const dictionaries: Record<Language, Record<MessageKey, string>> = { fr, en }

/** UI language only; the choice is persisted by the settings feature. */
export const useLanguage = create<{ language: Language; setLanguage: (l: Language) => void }>(
  (set) => ({
    language: 'fr',
    setLanguage: (language) => {
      document.documentElement.lang = language
      set({ language })
    }
  })
)

export type Params = Record<string, string | number>

/**
 * Looks up `key` and fills `{name}` placeholders. A message with `singular|plural` forms picks
 * by `params.n`: French uses the singular for 0 and 1, English only for 1.
 */
export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  // A value from a damaged or newer record may have no message: show it raw, never crash.
  let text: string = dictionaries[language][key] ?? String(key)
  if (text.includes('|')) {
    const [one, many] = text.split('|') as [string, string]
    const n = Number(params['n'] ?? 0)
    text = (language === 'fr' ? n < 2 : n === 1) ? one : many
  }
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m
  )
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(fr, key)
}

export function useT() {
  const language = useLanguage((s) => s.language)
  return (key: MessageKey, params?: Params) => translate(language, key, params)
}

export function errorText(language: Language, code: string, detail: string): string {
  const key = `error.${code}`
  return isMessageKey(key)
    ? translate(language, key, { detail })
    : translate(language, 'error.app.unexpected')
}

const locales: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' }

/** Times show in the laptop's own zone, the one the technician types manual entries in. */
export function formatDateTime(language: Language, iso: string): string {
  return new Intl.DateTimeFormat(locales[language], {
    dateStyle: 'short',
    timeStyle: 'medium'
  }).format(new Date(iso))
}

export function formatDate(language: Language, isoDate: string): string {
  return new Intl.DateTimeFormat(locales[language], {
    dateStyle: 'medium',
    timeZone: 'UTC'
  }).format(new Date(`${isoDate}T00:00:00Z`))
}
