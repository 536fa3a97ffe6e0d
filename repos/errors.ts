/**
 * tagstone's one error class. Each layer names the codes it throws (a union) and throws through a
 * constructor typed to them: `RepoError` here, `EngineError` in engine/, `RequestError` in server/.
 * They are all this class at run time; the server maps every code to a status in one table.
 */
export class TagstoneError<C extends string = string> extends Error {
  override name = 'TagstoneError'

  constructor(
    readonly code: C,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message)
  }
}

export type ErrorDetails = Readonly<Record<string, unknown>>

/** A layer's constructor of `TagstoneError`: only that layer's codes type-check. */
export type LayerErrorConstructor<C extends string> = new (
  code: C,
  message: string,
  details?: ErrorDetails,
) => TagstoneError<C>

/** Whether `err` is a tagstone error with this code. */
export function hasErrorCode<C extends string>(err: unknown, code: C): err is TagstoneError<C> {
  return err instanceof TagstoneError && err.code === code
}

/** What a client sent to be stored (a package) or asked of a repository over git. */
export type RepoClientErrorCode =
  | 'PACKAGE_NOT_ZIP'
  | 'PACKAGE_CORRUPT'
  | 'PACKAGE_UNSAFE_PATH'
  | 'PACKAGE_DUPLICATE_ENTRY'
  | 'PACKAGE_TOO_MANY_ENTRIES'
  | 'PACKAGE_UNPACKED_TOO_LARGE'
  | 'GIT_BAD_REQUEST'
  | 'NOT_FOUND'

/**
 * Faults of a repository's own files (an object missing, a damaged pack): never the client's
 * doing, so always answered 500 with nothing of the message shown.
 */
export type RepoFaultCode = 'GIT_OBJECT_NOT_FOUND' | 'GIT_CORRUPT_REPOSITORY'

export type RepoError = TagstoneError<RepoClientErrorCode>
export const RepoError: LayerErrorConstructor<RepoClientErrorCode> = TagstoneError
export type RepoFault = TagstoneError<RepoFaultCode>
export const RepoFault: LayerErrorConstructor<RepoFaultCode> = TagstoneError

/** A request that breaks the git wire protocol: the client's fault, answered 400 with the message. */
export const gitProtocolError = (message: string): RepoError => new RepoError('GIT_BAD_REQUEST', message)

/** The repository directory does not exist (the function was deleted meanwhile, say). */
export const repositoryNotFound = (): RepoError => new RepoError('NOT_FOUND', 'Repository not found.')

/** An object the repository should hold cannot be found. */
export const objectNotFound = (oid: string): RepoFault =>
  new RepoFault('GIT_OBJECT_NOT_FOUND', `object ${oid} not found`, { oid })

/** The repository's own files are damaged. */
export const corruptRepository = (message: string): RepoFault => new RepoFault('GIT_CORRUPT_REPOSITORY', message)
