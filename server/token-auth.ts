import type { RequestContext } from '../engine/context.js'
import type { TokenStore } from '../engine/tokens.js'
import { RequestError } from './errors.js'
import type { Authenticate } from './request-context.js'

/** What checking a token needs: the engine's token store fits. */
export type TokenVerifier = Pick<TokenStore, 'authenticateToken'>

const REST_REFUSAL = 'Authentication required: send a valid X-Auth-Token header.'
const GIT_REFUSAL = 'Authentication required: use HTTP Basic with a valid token as the password.'

// The message never repeats what was sent: a token must not reach a log or a client's screen.
const unauthenticated = (message: string) => new RequestError('UNAUTHENTICATED', message)

/**
 * REST: the `X-Auth-Token` header names the project and role; missing, unknown or revoked is 401
 * `UNAUTHENTICATED`, expired is 401 `TOKEN_EXPIRED` (thrown by the token store, saying when).
 */
export function tokenAuthenticate(tokens: TokenVerifier): Authenticate {
  return (request) => {
    const header = request.headers['x-auth-token']
    const secret = typeof header === 'string' ? header.trim() : undefined
    const ctx = secret ? tokens.authenticateToken(secret) : null
    if (!ctx) throw unauthenticated(REST_REFUSAL)
    return ctx
  }
}

/**
 * Git over HTTP: HTTP Basic where the password is a token and the user name is
 * anything. Throws an `UNAUTHENTICATED` error when the header is missing,
 * malformed, or names no live token (an expired one is the store's `TOKEN_EXPIRED`,
 * 401 as well); the git route adds the `WWW-Authenticate` challenge that makes git
 * ask for credentials.
 */
export function authenticateGitBasic(tokens: TokenVerifier, authorization: string | undefined): RequestContext {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '')
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  const ctx = colon >= 0 ? tokens.authenticateToken(decoded.slice(colon + 1)) : null
  if (!ctx) throw unauthenticated(GIT_REFUSAL)
  return ctx
}

/** `authenticateGitBasic` in the shape of an `Authenticate`, for a git route's own hook. */
export function gitBasicAuthenticate(tokens: TokenVerifier): Authenticate {
  return (request) => authenticateGitBasic(tokens, request.headers.authorization)
}
