import { useVirtualizer } from '@tanstack/react-virtual'
import { useLiveQuery } from 'dexie-react-hooks'
import { useDeferredValue, useMemo, useRef } from 'react'
import { INTERVENTION_KINDS, INTERVENTION_STATUSES } from '../../../../shared/domain'
import { ChoiceSelect } from '../../app/ChoiceSelect'
import { hrefOf } from '../../app/router'
import { repo } from '../../app/session'
import { useT } from '../../i18n'
import { filterInterventions, indexInterventions } from './filter'
import { useListFilter } from './store'
import { useReference } from './use-reference'

const ROW_HEIGHT = 56

export function InterventionList() {
  const t = useT()
  const reference = useReference()
  const rows = useLiveQuery(() => repo().db.interventions.toArray(), [])
  const { filter, setFilter } = useListFilter()
  const deferredFilter = useDeferredValue(filter)
  const indexed = useMemo(
    () =>
      rows && reference
        ? indexInterventions(rows, reference.collectiviteNames, reference.conventionNumbers)
        : [],
    [rows, reference]
  )
  const visible = useMemo(
    () => filterInterventions(indexed, deferredFilter),
    [indexed, deferredFilter]
  )
  const scroller = useRef<HTMLDivElement>(null)
  // The virtualizer's functions are not memoizable; this component does not rely on that.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8
  })

  return (
    <section className="list-page" aria-labelledby="list-title">
      <h1 id="list-title">{t('nav.interventions')}</h1>
      <div className="filters" role="search">
        <label>
          {t('list.search')}
          <input
            type="search"
            value={filter.text}
            placeholder={t('list.searchPlaceholder')}
            onChange={(e) => setFilter({ text: e.target.value })}
          />
        </label>
        <ChoiceSelect
          label={t('list.collectivite')}
          value={filter.collectiviteId}
          empty={t('common.all')}
          choices={reference?.collectivites.map((c) => ({ value: c.id, label: c.name })) ?? []}
          onChange={(collectiviteId) => setFilter({ collectiviteId })}
        />
        <ChoiceSelect
          label={t('list.status')}
          value={filter.status}
          empty={t('common.allMasc')}
          choices={INTERVENTION_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          onChange={(status) => setFilter({ status })}
        />
        <ChoiceSelect
          label={t('list.kind')}
          value={filter.kind}
          empty={t('common.allMasc')}
          choices={INTERVENTION_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
          onChange={(kind) => setFilter({ kind })}
        />
      </div>
      <p className="list-count" aria-live="polite" data-testid="list-count">
        {rows ? t('list.count', { n: visible.length }) : t('app.loading')}
      </p>
      {rows && visible.length === 0 && <p className="empty">{t('list.empty')}</p>}
      <div className="list-scroller" ref={scroller} role="list" aria-label={t('list.label')}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = visible[item.index]
            if (!row) return null
            return (
              <div
                key={row.id}
                role="listitem"
                className="list-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`
                }}
              >
                <a href={hrefOf({ page: 'detail', id: row.id })}>
                  <span className="row-title">{row.title}</span>
                  <span className="row-meta">
                    {reference?.collectiviteNames.get(row.collectiviteId)} · {t(`kind.${row.kind}`)}{' '}
                    · {t('units.count', { n: row.localUnits })}
                  </span>
                </a>
                <span className={`badge status-${row.status}`}>{t(`status.${row.status}`)}</span>
              </div>
            )
          })}
        </div>
      </div>
    </section>
  )
}
