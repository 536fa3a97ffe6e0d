import type { FastifyRequest } from 'fastify'

import { DEFAULT_PROJECT, type RequestContext } from '../engine/context.js'

/** Decides who a request acts as; throws (with a code) to refuse it. */
export type Authenticate = (request: FastifyRequest) => RequestContext | Promise<RequestContext>

/** Every request is the `default` project's admin: for local work with no tokens. */
export const actAsDefaultAdmin: Authenticate = () => ({ projectId: DEFAULT_PROJECT, role: 'admin' })

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext
  }
}
