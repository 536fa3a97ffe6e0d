/**
 * A problem with what a client sent to be stored in git (a package) or asked of
 * a repository. `code` is stable; the server maps it to a status once.
 */
export class RepoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'RepoError'
  }
}
