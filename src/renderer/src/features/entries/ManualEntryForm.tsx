import { useState, type FormEvent } from 'react'
import type { TimeEntryMode } from '../../../../shared/domain'
import { attempt } from '../../app/errors-store'
import { repo } from '../../app/session'
import { addManualEntry } from '../../db/repos/time-entries'
import { useT } from '../../i18n'

function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** Local date + time inputs → ISO instant (the laptop's zone); invalid input yields ''. */
export function toInstant(date: string, time: string): string {
  const ms = new Date(`${date}T${time}`).getTime()
  return Number.isFinite(ms) ? new Date(ms).toISOString() : ''
}

export function ManualEntryForm({
  interventionId,
  disabled
}: {
  interventionId: string
  disabled: boolean
}) {
  const t = useT()
  const [date, setDate] = useState(today)
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [mode, setMode] = useState<TimeEntryMode>('onSite')
  const [note, setNote] = useState('')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const draft = {
      interventionId,
      startedAt: toInstant(date, start),
      endedAt: toInstant(date, end),
      mode,
      ...(note.trim() ? { note: note.trim() } : {})
    }
    void attempt('entries.manual', () => addManualEntry(repo(), draft)).then((id) => {
      if (id) {
        setStart('')
        setEnd('')
        setNote('')
      }
    })
  }

  return (
    <form className="manual-entry" onSubmit={submit} aria-labelledby="manual-title">
      <h3 id="manual-title">{t('manual.title')}</h3>
      <fieldset disabled={disabled}>
        <label>
          {t('manual.date')}
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label>
          {t('manual.start')}
          <input type="time" value={start} onChange={(e) => setStart(e.target.value)} required />
        </label>
        <label>
          {t('manual.end')}
          <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} required />
        </label>
        <label>
          {t('entries.mode')}
          <select value={mode} onChange={(e) => setMode(e.target.value as TimeEntryMode)}>
            <option value="onSite">{t('mode.onSite')}</option>
            <option value="remote">{t('mode.remote')}</option>
          </select>
        </label>
        <label>
          {t('manual.note')}
          <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit">{t('manual.add')}</button>
      </fieldset>
    </form>
  )
}
