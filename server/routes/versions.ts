import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { Engine } from '../../engine/engine.js'
import { VersionDiffRecord } from '../../engine/records.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { listAnswer } from '../paging.js'
import {
  DetachAccepted,
  DiffQuery,
  DownloadQuery,
  faults,
  FunctionAnswer,
  FunctionParams,
  NoContent,
  recordOrZip,
  truthy,
  VersionAnswer,
  VersionCreateBody,
  VersionList,
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
        summary: "Create the next version from the function's current package",
        response: { 201: VersionAnswer, ...faults(400, 401, 403, 404, 412) },
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
        summary: "List a function's versions, oldest first (sort_dir=desc: newest first)",
        response: { 200: VersionList, ...faults(400, 401, 404) },
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
        summary: 'Show a version, or download its package',
        response: { 200: recordOrZip(VersionAnswer), ...faults(400, 401, 404) },
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

  app.get(
    '/v1/functions/:id/versions/:version/diff',
    {
      schema: {
        params: VersionParams,
        querystring: DiffQuery,
        summary: 'Compare two versions (or a version and the current package): JSON, or a git patch',
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
    {
      schema: {
        params: VersionParams,
        summary: "Make a version the function's current code and config again, as a new commit",
        response: { 200: FunctionAnswer, ...faults(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) =>
      sendTagged(
        request,
        reply,
        await engine.restoreVersion(request.ctx, request.params.id, request.params.version, preconditionOf(request)),
      ),
  )

  app.delete(
    '/v1/functions/:id/versions/:version',
    {
      schema: {
        params: VersionParams,
        summary: 'Delete a version: its tag goes, its number stays used',
        response: { 204: NoContent, ...faults(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      await engine.deleteVersion(request.ctx, request.params.id, request.params.version, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
