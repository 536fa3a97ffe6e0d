import type { FastifyRequest } from 'fastify'

import { DEFAULT_PROJECT, NO_AUTH_ACTOR, type RequestContext } from '../engine/context.js'

/** Decides who a request acts as; throws (with a code) to refuse it. */
export type Authenticate = (request: FastifyRequest) => RequestContext | Promise<RequestContext>

/** Every request is the `default` project's admin: for local work with no tokens. */
export const actAsDefaultAdmin: Authenticate = () => ({
  projectId: DEFAULT_PROJECT,
  role: 'admin',
  actor: NO_AUTH_ACTOR,
})

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext
  }
}
