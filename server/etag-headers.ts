import type { FastifyReply, FastifyRequest } from 'fastify'

import { ifNoneMatchHits } from '../engine/etags.js'
import type { Precondition } from '../engine/functions.js'

/** The request's If-Match, for the engine to check where the change is made. */
export function preconditionOf(request: FastifyRequest): Precondition {
  const header = request.headers['if-match']
  return typeof header === 'string' ? { ifMatch: header } : {}
}

/**
 * Answers a resource with its ETag; a GET whose If-None-Match names the current
 * ETag gets 304 and no body.
 */
export function sendTagged<R extends { etag: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  record: R,
  status = 200,
): FastifyReply {
  void reply.header('etag', record.etag)
  const seen = request.headers['if-none-match']
  if (request.method === 'GET' && typeof seen === 'string' && ifNoneMatchHits(seen, record.etag))
    return reply.code(304).send()
  return reply.code(status).send(record)
}
