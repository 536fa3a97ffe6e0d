import { type LayerErrorConstructor, TagstoneError } from '../repos/errors.js'

// The server reaches the one error class through the engine, never from repos/ directly.
export {
  type ErrorDetails,
  hasErrorCode,
  type LayerErrorConstructor,
  type RepoClientErrorCode,
  TagstoneError,
} from '../repos/errors.js'

/**
 * The engine's failures, with a stable `code` and structured `details`. The engine knows nothing
 * of HTTP: `server/error-table.ts` maps each code to a status once.
 */
export type EngineErrorCode =
  | 'INVALID_ID'
  | 'INVALID_FIELD'
  | 'PACKAGE_REQUIRED'
  | 'UNSUPPORTED_CODE_SOURCE'
  | 'MD5_MISMATCH'
  | 'CHECKSUM_NOT_CHANGED'
  | 'PACKAGE_TOO_LARGE'
  | 'ALIAS_VERSION_NOT_FOUND'
  | 'FUNCTION_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'ALIAS_NOT_FOUND'
  | 'VERSION_UNCHANGED'
  | 'VERSION_LIMIT'
  | 'FUNCTION_IN_USE'
  | 'VERSION_IN_USE'
  | 'FORBIDDEN'
  | 'ADMIN_ONLY'
  | 'ALIAS_EXISTS'
  | 'UNAUTHENTICATED'
  | 'TOKEN_EXPIRED'
  | 'NO_DATA_DIRECTORY'
  | 'DATA_DIR_UNUSABLE'
  | 'DATA_DIR_LOCKED'
  | 'PRECONDITION_FAILED'

export type EngineError = TagstoneError<EngineErrorCode>
export const EngineError: LayerErrorConstructor<EngineErrorCode> = TagstoneError
