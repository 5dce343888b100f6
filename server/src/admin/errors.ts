/** A refused admin command (CLI): a stable code and a message the operator can act on. */
export class AdminError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'AdminError'
  }
}
