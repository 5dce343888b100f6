import { useState } from 'react'
import { attempt } from '../../app/errors-store'
import { repo } from '../../app/session'
import { updateIntervention, type InterventionFields } from '../../db/repos/interventions'
import type { InterventionRow } from '../../db/rows'
import { useT } from '../../i18n'

type TextField = 'description' | 'resolution' | 'notes'

/**
 * Description, resolution summary and notes: edited in place, saved explicitly. The parent keys
 * this form by the row's server version, so a change pulled from the server resets the draft.
 */
export function InterventionText({
  intervention,
  locked
}: {
  intervention: InterventionRow
  locked: boolean
}) {
  const t = useT()
  const [values, setValues] = useState({
    description: intervention.description,
    resolution: intervention.resolution ?? '',
    notes: intervention.notes ?? ''
  })
  const [saved, setSaved] = useState(false)

  const fields: TextField[] = ['description', 'resolution', 'notes']
  const save = () => {
    const changed: InterventionFields = {}
    for (const f of fields)
      if (values[f] !== (f === 'description' ? intervention.description : (intervention[f] ?? '')))
        changed[f] = values[f]
    void attempt('intervention.update', () =>
      updateIntervention(repo(), intervention.id, changed)
    ).then(() => setSaved(true))
  }

  return (
    <form
      className="intervention-text"
      onSubmit={(e) => {
        e.preventDefault()
        save()
      }}
    >
      <fieldset disabled={locked}>
        {fields.map((f) => (
          <label key={f}>
            {t(`detail.${f}`)}
            <textarea
              value={values[f]}
              rows={f === 'description' ? 4 : 3}
              maxLength={10000}
              onChange={(e) => {
                setSaved(false)
                setValues({ ...values, [f]: e.target.value })
              }}
            />
          </label>
        ))}
        <button type="submit">{t('common.save')}</button>
        {saved && (
          <span role="status" className="hint">
            {t('detail.saved')}
          </span>
        )}
      </fieldset>
    </form>
  )
}
