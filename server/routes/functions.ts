import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'

import type { Engine } from '../../engine/engine.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { readFunctionBody } from '../function-body.js'
import type { ServerMetrics } from '../metrics.js'
import { listAnswer } from '../paging.js'
import {
  DetachAccepted,
  DownloadQuery,
  faults,
  FunctionAnswer,
  FunctionList,
  FunctionParams,
  ListFunctionsQuery,
  NoContent,
  recordOrZip,
  truthy,
} from '../schemas.js'
import { sendDownload } from '../send-download.js'

/** Functions, as Qinling v1: create, list, show/download, update, detach, delete. */
export const functionRoutes: FastifyPluginAsyncTypebox<{ engine: Engine; metrics: ServerMetrics }> = async (
  app,
  { engine, metrics },
) => {
  /** The body of a create or update, its package counted as received. */
  const readBody = async (request: FastifyRequest) => {
    const input = await readFunctionBody(request, engine.limits.maxPackageBytes)
    if (input.package) {
      metrics.uploads.inc()
      metrics.uploadBytes.inc(input.package.length)
    }
    return input
  }

  // Bodies are multipart, urlencoded or JSON: read by readFunctionBody, validated by the engine.
  app.post(
    '/v1/functions',
    {
      schema: {
        summary: 'Create a function from a zip',
        response: { 201: FunctionAnswer, ...faults(400, 401, 403, 413) },
      },
    },
    async (request, reply) => {
      const created = await engine.createFunction(request.ctx, await readBody(request))
      return sendTagged(request, reply, created, 201)
    },
  )

  app.get(
    '/v1/functions',
    {
      schema: {
        querystring: ListFunctionsQuery,
        summary: 'List functions',
        response: { 200: FunctionList, ...faults(400, 401, 403) },
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
        summary: 'Show a function, or download its current package',
        response: { 200: recordOrZip(FunctionAnswer), ...faults(400, 401, 404) },
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
    {
      schema: {
        params: FunctionParams,
        summary: 'Update a function: fields and/or a new package',
        response: { 200: FunctionAnswer, ...faults(400, 401, 403, 404, 412, 413) },
      },
    },
    async (request, reply) => {
      const body = await readBody(request)
      return sendTagged(
        request,
        reply,
        await engine.updateFunction(request.ctx, request.params.id, body, preconditionOf(request)),
      )
    },
  )

  app.post(
    '/v1/functions/:id/detach',
    {
      schema: {
        params: FunctionParams,
        summary: 'Detach a function (admin): same as detaching version 0',
        response: { 202: DetachAccepted, ...faults(400, 401, 403, 404) },
      },
    },
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
    {
      schema: {
        params: FunctionParams,
        summary: 'Delete a function, its versions and its repository',
        response: { 204: NoContent, ...faults(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      await engine.deleteFunction(request.ctx, request.params.id, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
