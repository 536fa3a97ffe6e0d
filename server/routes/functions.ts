import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { FunctionRecord } from '../../engine/records.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { readFunctionBody } from '../function-body.js'
import { listAnswer, ListOf } from '../paging.js'
import { DownloadQuery, faults, FunctionParams, ListFunctionsQuery, truthy } from '../schemas.js'
import { sendDownload } from '../send-download.js'

/** Functions, as Qinling v1: create, list, show/download, update, detach, delete. */
export const functionRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  // Bodies are multipart, urlencoded or JSON: read by readFunctionBody, validated by the engine.
  app.post(
    '/v1/functions',
    { schema: { response: { 201: FunctionRecord, ...faults(400, 401, 403, 413) } } },
    async (request, reply) => {
      const created = await engine.createFunction(
        request.ctx,
        await readFunctionBody(request, engine.limits.maxPackageBytes),
      )
      return sendTagged(request, reply, created, 201)
    },
  )

  app.get(
    '/v1/functions',
    {
      schema: {
        querystring: ListFunctionsQuery,
        response: { 200: ListOf('functions', FunctionRecord), ...faults(400, 401, 403) },
      },
    },
    async (request) => {
      const { all_projects, project_id } = request.query
      const filter = { allProjects: truthy(all_projects), ...(project_id ? { projectId: project_id } : {}) }
      return listAnswer(request, 'functions', engine.listFunctions(request.ctx, filter, request.query))
    },
  )

  app.get(
    '/v1/functions/:id',
    {
      schema: {
        params: FunctionParams,
        querystring: DownloadQuery,
        response: { 200: FunctionRecord, ...faults(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (truthy(request.query.download))
        return sendDownload(reply, await engine.downloadFunction(request.ctx, request.params.id))
      return sendTagged(request, reply, engine.getFunction(request.ctx, request.params.id))
    },
  )

  app.put(
    '/v1/functions/:id',
    { schema: { params: FunctionParams, response: { 200: FunctionRecord, ...faults(400, 401, 403, 404, 412, 413) } } },
    async (request, reply) => {
      const body = await readFunctionBody(request, engine.limits.maxPackageBytes)
      return sendTagged(
        request,
        reply,
        await engine.updateFunction(request.ctx, request.params.id, body, preconditionOf(request)),
      )
    },
  )

  app.post(
    '/v1/functions/:id/detach',
    { schema: { params: FunctionParams, response: { 202: Type.String(), ...faults(400, 401, 403, 404) } } },
    async (request, reply) => {
      engine.detachFunction(request.ctx, request.params.id)
      return reply
        .code(202)
        .type('text/plain; charset=utf-8')
        .send(`Request to detach function ${request.params.id} has been accepted.`)
    },
  )

  app.delete(
    '/v1/functions/:id',
    { schema: { params: FunctionParams, response: { 204: Type.Null(), ...faults(400, 401, 403, 404, 412) } } },
    async (request, reply) => {
      await engine.deleteFunction(request.ctx, request.params.id, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
