import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { Engine } from '../../engine/engine.js'
import {
  DetachAccepted,
  DownloadQuery,
  faults,
  FunctionParams,
  NoContent,
  recordOrZip,
  truthy,
  VersionAnswer,
  VersionCreateBody,
  VersionList,
  VersionParams,
} from '../schemas.js'
import { sendDownload } from '../send-download.js'

/** Function versions: annotated tags `vN` on `main`, numbered by the engine. */
export const versionRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.post(
    '/v1/functions/:id/versions',
    {
      schema: {
        params: FunctionParams,
        body: VersionCreateBody,
        summary: "Create the next version from the function's current package",
        response: { 201: VersionAnswer, ...faults(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const version = await engine.createVersion(request.ctx, request.params.id, {
        description: request.body?.description,
      })
      return reply.code(201).send(version)
    },
  )

  app.get(
    '/v1/functions/:id/versions',
    {
      schema: {
        params: FunctionParams,
        summary: "List a function's versions, oldest first",
        response: { 200: VersionList, ...faults(400, 401, 404) },
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
        summary: 'Show a version, or download its package',
        response: { 200: recordOrZip(VersionAnswer), ...faults(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params
      if (truthy(request.query.download))
        return sendDownload(reply, await engine.downloadVersion(request.ctx, id, version))
      return engine.getVersion(request.ctx, id, version)
    },
  )

  app.post(
    '/v1/functions/:id/versions/:version/detach',
    {
      schema: {
        params: VersionParams,
        summary: 'Detach a version (admin); 0 is the function itself',
        response: { 202: DetachAccepted, ...faults(400, 401, 403, 404) },
      },
    },
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
    {
      schema: {
        params: VersionParams,
        summary: 'Delete a version: its tag goes, its number stays used',
        response: { 204: NoContent, ...faults(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await engine.deleteVersion(request.ctx, request.params.id, request.params.version)
      return reply.code(204).send(null)
    },
  )
}
