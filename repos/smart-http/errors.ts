/**
 * A request that breaks the git wire protocol (bad pkt-line framing, an unexpected line, an
 * unsupported feature). It is the client's fault, so the HTTP layer answers 400 with the message.
 */
export class GitProtocolError extends Error {
  readonly code = 'GIT_BAD_REQUEST'

  constructor(message: string) {
    super(message)
    this.name = 'GitProtocolError'
  }
}

/** The repository directory does not exist (the function was deleted meanwhile, say). */
export class RepositoryNotFoundError extends Error {
  readonly code = 'NOT_FOUND'

  constructor() {
    super('Repository not found.')
    this.name = 'RepositoryNotFoundError'
  }
}
