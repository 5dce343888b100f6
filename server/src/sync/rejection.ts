import type { AuthContext } from '../auth/sessions'

/**
 * A mutation that can never succeed (invalid args, out of scope, illegal status change...). It
 * is recorded with its code and reason, shown to the client in pulls, and still advances the
 * client's lastMutationId, so one bad entry cannot block the outbox behind it.
 */
export class Rejection extends Error {
  constructor(
    readonly code: string,
    readonly reason: string
  ) {
    super(reason)
    this.name = 'Rejection'
  }
}

/**
 * A record the caller may not write, or that does not exist. A technician gets one code and one
 * wording for both, so rejections cannot tell them whether a record exists in a municipality
 * not assigned to them; a lead sees every municipality, so the difference is safe to tell.
 */
export function unreachable(
  auth: Pick<AuthContext, 'role'>,
  what: string,
  id: string,
  exists: boolean
): Rejection {
  if (auth.role !== 'lead')
    return new Rejection(
      'scope.forbidden',
      `${what} ${id} does not exist or is not in a municipality assigned to you (or no longer is).`
    )
  return exists
    ? new Rejection('scope.forbidden', `${what} ${id} belongs to a deleted municipality.`)
    : new Rejection('record.notFound', `${what} ${id} does not exist on the server.`)
}
