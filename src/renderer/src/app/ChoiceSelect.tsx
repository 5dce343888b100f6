export interface Choice<V extends string> {
  value: V
  label: string
}

/**
 * A labelled `<select>` over a list of choices, with an optional empty first option ("Toutes",
 * "Choisir…"): the one shape every filter and form of the app uses.
 */
export function ChoiceSelect<V extends string>({
  label,
  value,
  choices,
  empty,
  required,
  onChange
}: {
  label: string
  value: V | ''
  choices: ReadonlyArray<Choice<V>>
  empty?: string
  required?: boolean
  onChange: (value: V | '') => void
}) {
  return (
    <label>
      {label}
      <select
        required={required}
        value={value}
        onChange={(e) => onChange(e.target.value as V | '')}
      >
        {empty !== undefined && <option value="">{empty}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  )
}
