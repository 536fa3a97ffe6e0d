import type { FastifyInstance } from 'fastify'

import { type LayerErrorConstructor, TagstoneError } from '../engine/errors.js'
import { ERROR_STATUS, FASTIFY_CODES, isClientErrorCode } from './error-table.js'
import type { KnownRoutes } from './known-routes.js'

/** What the server layer itself refuses: a bad body, an unknown content type, a missing token... */
export type ServerErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_JSON'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'REQUEST_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'PACKAGE_TOO_LARGE'
  | 'INVALID_CONFIG'

export type RequestError = TagstoneError<ServerErrorCode>
export const RequestError: LayerErrorConstructor<ServerErrorCode> = TagstoneError

export interface Fault {
  status: number
  body: { faultstring: string; error: string }
}

const INTERNAL: Fault = { status: 500, body: { faultstring: 'Internal server error.', error: 'INTERNAL' } }

/**
 * Maps anything thrown to a status, a code and a `faultstring`: the one mapper of REST and git
 * routes alike. Our codes go through the table; Fastify's own errors through their codes or their
 * 4xx status; everything else is a 500 that shows nothing of itself.
 */
export function toFault(err: unknown): Fault {
  // Anything may be thrown, null included.
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown
    message?: unknown
    statusCode?: unknown
  }
  const code = typeof e.code === 'string' ? e.code : undefined
  const message = typeof e.message === 'string' ? e.message : undefined
  const ours =
    code === undefined
      ? undefined
      : isClientErrorCode(code)
        ? code
        : Object.hasOwn(FASTIFY_CODES, code)
          ? FASTIFY_CODES[code]
          : undefined
  if (ours) return { status: ERROR_STATUS[ours], body: { faultstring: message ?? ours, error: ours } }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500
  if (status >= 400 && status < 500) {
    const named =
      status === 401 || status === 403 || status === 404 || status === 405 || status === 409 || status === 413
    return { status: named ? status : 400, body: { faultstring: message || 'Bad request.', error: 'BAD_REQUEST' } }
  }
  return INTERNAL
}

export function installErrorHandling(app: FastifyInstance, routes: KnownRoutes): void {
  app.setErrorHandler((err, request, reply) => {
    const fault = toFault(err)
    if (fault.status >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: fault.body.error }, fault.body.faultstring)
    return reply.code(fault.status).type('application/json').send(fault.body)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    const allowed = routes.methodsFor(path)
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('Allow', allowed.join(', '))
        .type('application/json')
        .send({
          faultstring: `${request.method} is not allowed on ${path}: use ${allowed.join(', ')}.`,
          error: 'METHOD_NOT_ALLOWED',
        })
    }
    return reply
      .code(404)
      .type('application/json')
      .send({
        faultstring: `No such resource: ${request.method} ${path}.`,
        error: 'ROUTE_NOT_FOUND',
      })
  })
}
