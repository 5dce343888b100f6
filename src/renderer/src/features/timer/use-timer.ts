import { useLiveQuery } from 'dexie-react-hooks'
import { repo } from '../../app/session'
import type { InterventionRow, TimerRow } from '../../db/rows'

export interface TimerState {
  timer: TimerRow
  intervention: InterventionRow | undefined
}

/** The technician's one timer and the intervention it belongs to (null: no timer). */
export function useTimer(): TimerState | null | undefined {
  return useLiveQuery(async () => {
    const ctx = repo()
    const timer = await ctx.db.timers.get(ctx.technicianId)
    if (!timer) return null
    return { timer, intervention: await ctx.db.interventions.get(timer.interventionId) }
  }, [])
}
