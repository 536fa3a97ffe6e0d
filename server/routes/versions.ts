import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { VersionRecord } from '../../engine/records.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { DownloadQuery, faults, FunctionParams, truthy, VersionCreateBody, VersionParams } from '../schemas.js'
import { sendDownload } from '../send-download.js'

/** Function versions: annotated tags `vN` on `main`, numbered by the engine. */
export const versionRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.post(
    '/v1/functions/:id/versions',
    {
      schema: {
        params: FunctionParams,
        body: VersionCreateBody,
        response: { 201: VersionRecord, ...faults(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const version = await engine.createVersion(
        request.ctx,
        request.params.id,
        { description: request.body?.description },
        preconditionOf(request),
      )
      return sendTagged(request, reply, version, 201)
    },
  )

  app.get(
    '/v1/functions/:id/versions',
    {
      schema: {
        params: FunctionParams,
        response: { 200: Type.Object({ function_versions: Type.Array(VersionRecord) }), ...faults(400, 401, 404) },
      },
    },
    async (request) => ({ function_versions: engine.listVersions(request.ctx, request.params.id) }),
  )

  app.get(
    '/v1/functions/:id/versions/:version',
    {
      schema: {
        params: VersionParams,
        querystring: DownloadQuery,
        response: { 200: VersionRecord, ...faults(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params
      if (truthy(request.query.download))
        return sendDownload(reply, await engine.downloadVersion(request.ctx, id, version))
      return sendTagged(request, reply, engine.getVersion(request.ctx, id, version))
    },
  )

  app.post(
    '/v1/functions/:id/versions/:version/detach',
    { schema: { params: VersionParams, response: { 202: Type.String(), ...faults(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { id, version } = request.params
      engine.detachVersion(request.ctx, id, version)
      return reply
        .code(202)
        .type('text/plain; charset=utf-8')
        .send(`Request to detach function ${id}(version ${version}) has been accepted.`)
    },
  )

  app.delete(
    '/v1/functions/:id/versions/:version',
    { schema: { params: VersionParams, response: { 204: Type.Null(), ...faults(400, 401, 403, 404, 412) } } },
    async (request, reply) => {
      await engine.deleteVersion(request.ctx, request.params.id, request.params.version, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
