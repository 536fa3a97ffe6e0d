import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

import type { FastifyInstance } from 'fastify'

/** Ids a proxy or client may hand us: short, and nothing that could forge a log field or a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/

/** Fastify's `genReqId`: the caller's `X-Request-Id` when it is sane, a new UUID otherwise. */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id']
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID()
}

/**
 * One log line per request, once it is answered: method and URL, the route template (what
 * dashboards group by), status and duration; the request id comes with the request's logger.
 * Fastify's own pair of lines is turned off, so that a request is one line. Every answer
 * carries the id in `X-Request-Id`, so a client's report can be found in the log.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        req: request,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request completed',
    )
  })
}
