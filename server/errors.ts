import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { ERROR_STATUS, FASTIFY_CODES } from './error-table.js'

/** An error raised by the server layer itself (bad body, unknown content type...). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

interface Fault {
  status: number
  body: { faultstring: string; error: string }
}

/** Maps any error to a status and a `faultstring`; 5xx never shows internals. */
export function toFault(err: unknown): Fault {
  // Anything may be thrown, null included; and a code such as 'constructor' must not find Object's own members.
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<FastifyError> & { code?: unknown }
  const code = typeof e.code === 'string' ? e.code : undefined
  const ours =
    code && Object.hasOwn(ERROR_STATUS, code)
      ? code
      : code && Object.hasOwn(FASTIFY_CODES, code)
        ? FASTIFY_CODES[code]
        : undefined
  if (ours) return { status: ERROR_STATUS[ours]!, body: { faultstring: e.message ?? ours, error: ours } }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500
  if (status >= 400 && status < 500) {
    const mapped =
      status === 401 || status === 403 || status === 404 || status === 405 || status === 409 || status === 413
        ? status
        : 400
    return { status: mapped, body: { faultstring: e.message || 'Bad request.', error: 'BAD_REQUEST' } }
  }
  return { status: 500, body: { faultstring: 'Internal server error.', error: 'INTERNAL' } }
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const fault = toFault(err)
    if (fault.status >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: fault.body.error }, fault.body.faultstring)
    return reply.code(fault.status).type('application/json').send(fault.body)
  })
  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .type('application/json')
      .send({
        faultstring: `No such resource: ${request.method} ${request.url.split('?')[0]}.`,
        error: 'ROUTE_NOT_FOUND',
      })
  })
}
