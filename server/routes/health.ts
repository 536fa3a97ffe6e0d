import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { Fault } from '../schemas.js'

/** What the process tells the probes beyond the engine itself; `serve` flips it when a stop begins. */
export interface Readiness {
  stopping: boolean
}

const Status = Type.Object({ status: Type.Literal('ok') })
const VersionList = Type.Object({
  versions: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.String(),
      links: Type.Array(Type.Object({ href: Type.String(), rel: Type.String() })),
    }),
  ),
})

/**
 * Probes and the API root: no token, outside the REST API's auth scope. The
 * listener only opens once recovery has run, so before that a probe finds
 * nothing listening, which orchestrators read as "not ready" too.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ engine: Engine; readiness: Readiness }> = async (
  app,
  { engine, readiness },
) => {
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', { schema: { response: { 200: Status, 503: Fault } } }, async (_request, reply) => {
    const reason = readiness.stopping ? 'the server is shutting down' : engine.unwritableReason()
    if (reason) return reply.code(503).send({ faultstring: `Not ready: ${reason}.`, error: 'NOT_READY' })
    return { status: 'ok' as const }
  })

  // Qinling's root: clients probe it to find the API version and its base URL.
  app.get('/', { schema: { response: { 200: VersionList } } }, async (request) => ({
    versions: [
      {
        id: 'v1.0',
        status: 'CURRENT',
        links: [{ href: `${request.protocol}://${request.host}/v1/`, rel: 'self' }],
      },
    ],
  }))
}
