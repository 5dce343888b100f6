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

export const outOfScope = (what: string): Rejection =>
  new Rejection(
    'scope.forbidden',
    `${what} belongs to a municipality that is not assigned to you (or no longer is).`
  )

export const notFound = (what: string, id: string): Rejection =>
  new Rejection('record.notFound', `${what} ${id} does not exist on the server.`)
