import { uuidSchema } from '../../../src/shared/domain'
import type { MutationName } from '../../../src/shared/sync/mutations'

/**
 * The client keeps an optimistic copy of the rows its pending mutations target and relies on the
 * next pull to bring the server's copy back once the mutation is answered. So every applied or
 * rejected mutation re-stamps the existing rows it targets with the push's version, even when
 * nothing changed (asking for the current status, voiding twice, a replayed create, a refusal):
 * the next pull re-sends them. Only rows the caller can read are stamped: a rejection outside
 * the caller's scope writes nothing there.
 *
 * Every mutation of a push shares the push's version, so the targets are collected as the push
 * goes and stamped once, in the statement that ends the push (push-end.ts).
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

  /** The targets by kind as JSON lists, in END_OF_PUSH's order (push-end.ts). */
  lists(): [string, string, string, string] {
    const list = (l: Set<string>) => JSON.stringify([...l])
    const { ids } = this
    return [
      list(ids.interventions),
      list(ids.entryInterventions),
      list(ids.time_entries),
      list(ids.remote_sessions)
    ]
  }
}
