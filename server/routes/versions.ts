import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { FunctionRecord, VersionDiffRecord, VersionRecord } from '../../engine/records.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { listAnswer, ListOf } from '../paging.js'
import {
  DiffQuery,
  DownloadQuery,
  faults,
  FunctionParams,
  truthy,
  VersionCreateBody,
  VersionListQuery,
  VersionParams,
} from '../schemas.js'
import { sendDownload, sendPatch } from '../send-download.js'

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
        querystring: VersionListQuery,
        response: { 200: ListOf('function_versions', VersionRecord), ...faults(400, 401, 404) },
      },
    },
    async (request) =>
      listAnswer(request, 'function_versions', engine.listVersions(request.ctx, request.params.id, request.query)),
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

  app.get(
    '/v1/functions/:id/versions/:version/diff',
    {
      schema: {
        params: VersionParams,
        querystring: DiffQuery,
        response: { 200: VersionDiffRecord, ...faults(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params
      const { diff, patch } = await engine.diffVersions(request.ctx, id, version, request.query.to)
      const asPatch =
        request.query.format === 'patch' ||
        (request.query.format === undefined && /\btext\/x-diff\b/.test(request.headers.accept ?? ''))
      if (asPatch) return sendPatch(reply, patch)
      return diff
    },
  )

  app.post(
    '/v1/functions/:id/versions/:version/restore',
    { schema: { params: VersionParams, response: { 200: FunctionRecord, ...faults(400, 401, 403, 404, 412) } } },
    async (request, reply) =>
      sendTagged(
        request,
        reply,
        await engine.restoreVersion(request.ctx, request.params.id, request.params.version, preconditionOf(request)),
      ),
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
