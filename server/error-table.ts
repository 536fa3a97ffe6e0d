import type { EngineErrorCode, RepoClientErrorCode } from '../engine/errors.js'
import type { ServerErrorCode } from './errors.js'

/**
 * Every code a client can be answered with. Repository faults (`RepoFaultCode`) are not among
 * them: they are always a 500 whose message is never shown.
 */
export type ClientErrorCode = RepoClientErrorCode | EngineErrorCode | ServerErrorCode

/**
 * The statuses the openstack client names (no 415, 422 or 429), and 412; 5xx are not chosen by code.
 * 412 is outside the client's list, but only a request with an If-Match header can get it, and the
 * openstack client never sends one: a 412 reaches only callers who asked for a precondition.
 */
type ClientStatus = 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413

/** The status of each code, for REST and git alike. The compiler checks that every code is here. */
export const ERROR_STATUS = {
  // engine
  INVALID_ID: 400,
  INVALID_FIELD: 400,
  PACKAGE_REQUIRED: 400,
  UNSUPPORTED_CODE_SOURCE: 400,
  MD5_MISMATCH: 400,
  CHECKSUM_NOT_CHANGED: 400,
  ALIAS_VERSION_NOT_FOUND: 400,
  PACKAGE_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  // Also 401: the client holds a real secret, only an old one; the faultstring says so.
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  ADMIN_ONLY: 403,
  VERSION_UNCHANGED: 403,
  VERSION_LIMIT: 403,
  FUNCTION_IN_USE: 403,
  VERSION_IN_USE: 403,
  FUNCTION_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  ALIAS_NOT_FOUND: 404,
  ALIAS_EXISTS: 409,
  PRECONDITION_FAILED: 412,
  // Only the admin tools meet it (they open a data directory); listed so that the table stays total.
  NO_DATA_DIRECTORY: 404,
  // Only opening a data directory meets them (at start, or in the admin tools); listed for the same reason.
  DATA_DIR_UNUSABLE: 404,
  DATA_DIR_LOCKED: 409,
  // repos: what a package may not be
  PACKAGE_NOT_ZIP: 400,
  PACKAGE_CORRUPT: 400,
  PACKAGE_UNSAFE_PATH: 400,
  PACKAGE_DUPLICATE_ENTRY: 400,
  PACKAGE_TOO_MANY_ENTRIES: 400,
  PACKAGE_UNPACKED_TOO_LARGE: 413,
  // repos: what a git request may not be
  GIT_BAD_REQUEST: 400,
  NOT_FOUND: 404,
  // server: what a request may not be
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 400,
  REQUEST_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // Only `serve`'s flag parser meets it, before anything listens; listed so that the table stays total.
  INVALID_CONFIG: 400,
} as const satisfies Record<ClientErrorCode, ClientStatus>

/** Fastify's own request errors, in our codes; anything 4xx not listed becomes BAD_REQUEST. */
export const FASTIFY_CODES: Readonly<Record<string, ClientErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PACKAGE_TOO_LARGE',
  FST_PARTS_LIMIT: 'REQUEST_TOO_LARGE',
  FST_FILES_LIMIT: 'BAD_REQUEST',
  FST_FIELDS_LIMIT: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_VALIDATION: 'BAD_REQUEST',
}

export function isClientErrorCode(code: string): code is ClientErrorCode {
  // hasOwn: a code such as 'constructor' must not find Object's own members.
  return Object.hasOwn(ERROR_STATUS, code)
}
