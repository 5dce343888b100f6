import { uuidSchema } from '../../../src/shared/domain'
import type { MutationName } from '../../../src/shared/sync/mutations'
import type { Queryable } from '../db/db'
import type { Scope } from './scope'

/**
 * The client keeps an optimistic copy of the rows its pending mutations target and relies on the
 * next pull to bring the server's copy back once the mutation is answered. So every applied or
 * rejected mutation re-stamps the existing rows it targets with the push's version, even when
 * nothing changed (asking for the current status, voiding twice, a replayed create, a refusal):
 * the next pull re-sends them. Only rows the caller can read are stamped: a rejection outside
 * the caller's scope writes nothing there.
 *
 * Every mutation of a push shares the push's version, so the targets are collected as the push
 * goes and stamped once, one statement per table, just before commit.
 */
type Kind = 'interventions' | 'entryInterventions' | 'time_entries' | 'remote_sessions'

const TARGETS: Record<MutationName, ReadonlyArray<{ kind: Kind; arg: string }>> = {
  'intervention.create.v1': [{ kind: 'interventions', arg: 'id' }],
  'intervention.update.v1': [{ kind: 'interventions', arg: 'id' }],
  'intervention.setStatus.v1': [{ kind: 'interventions', arg: 'id' }],
  // The intervention too: its seconds and units are the server's, never the client's guess.
  'timeEntry.add.v1': [
    { kind: 'time_entries', arg: 'id' },
    { kind: 'interventions', arg: 'interventionId' }
  ],
  'timeEntry.void.v1': [
    { kind: 'time_entries', arg: 'id' },
    { kind: 'entryInterventions', arg: 'id' }
  ],
  'remoteSession.log.v1': [{ kind: 'remote_sessions', arg: 'id' }]
}

const UUIDS = (n: number): string => `SELECT jsonb_array_elements_text($${n}::jsonb)::uuid`
const IN_LIST = (n: number): string => `(${UUIDS(n)})`

export class TouchList {
  private readonly ids: Record<Kind, Set<string>> = {
    interventions: new Set(),
    entryInterventions: new Set(),
    time_entries: new Set(),
    remote_sessions: new Set()
  }

  /** Notes the rows a mutation targets (whatever became of it). */
  add(name: string, args: unknown): void {
    if (!Object.hasOwn(TARGETS, name) || typeof args !== 'object' || args === null) return
    for (const target of TARGETS[name as MutationName]) {
      const id = uuidSchema.safeParse((args as Record<string, unknown>)[target.arg])
      if (id.success) this.ids[target.kind].add(id.data)
    }
  }

  /** @returns the municipalities of the rows stamped (for pokes) */
  async stamp(q: Queryable, scope: Scope, version: number): Promise<string[]> {
    const touched: string[] = []
    const run = async (table: string, where: string, lists: Array<Set<string>>) => {
      if (lists.every((l) => l.size === 0)) return
      const { rows } = await q.query<{ collectivite_id: string }>(
        `UPDATE ${table} x SET version = $1 WHERE (${where}) AND x.version < $1
           AND x.deleted_at IS NULL AND ($2::boolean OR x.collectivite_id IN ${IN_LIST(3)})
         RETURNING x.collectivite_id`,
        [
          version,
          scope.all,
          JSON.stringify(scope.collectiviteIds),
          ...lists.map((l) => JSON.stringify([...l]))
        ]
      )
      for (const row of rows) touched.push(row.collectivite_id)
    }
    const { ids } = this
    // One IN over a UNION, not two INs joined by OR: OR would forgo the primary key index.
    await run(
      'interventions',
      `x.id IN (${UUIDS(4)} UNION ALL SELECT intervention_id FROM time_entries
         WHERE id IN ${IN_LIST(5)})`,
      [ids.interventions, ids.entryInterventions]
    )
    await run('time_entries', `x.id IN ${IN_LIST(4)}`, [ids.time_entries])
    await run('remote_sessions', `x.id IN ${IN_LIST(4)}`, [ids.remote_sessions])
    return touched
  }
}
