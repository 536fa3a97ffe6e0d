import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { listAnswer, PageQuery } from '../paging.js'
import { AliasAnswer, AliasCreateBody, AliasList, AliasParams, AliasUpdateBody, faults, NoContent } from '../schemas.js'

/** Function aliases: a per-project name for a function's version (0: its current code). */
export const aliasRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.post(
    '/v1/aliases',
    {
      schema: {
        body: AliasCreateBody,
        summary: 'Create an alias',
        response: { 201: AliasAnswer, ...faults(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      return sendTagged(request, reply, engine.createAlias(request.ctx, request.body), 201)
    },
  )

  app.get(
    '/v1/aliases',
    {
      schema: {
        querystring: Type.Object(PageQuery),
        summary: "List the project's aliases",
        response: { 200: AliasList, ...faults(400, 401) },
      },
    },
    async (request) => listAnswer(request, 'function_aliases', engine.listAliases(request.ctx, request.query)),
  )

  app.get(
    '/v1/aliases/:name',
    { schema: { params: AliasParams, summary: 'Show an alias', response: { 200: AliasAnswer, ...faults(401, 404) } } },
    async (request, reply) => sendTagged(request, reply, engine.getAlias(request.ctx, request.params.name)),
  )

  app.put(
    '/v1/aliases/:name',
    {
      schema: {
        params: AliasParams,
        body: AliasUpdateBody,
        summary: 'Point an alias elsewhere; null leaves a field as it is',
        response: { 200: AliasAnswer, ...faults(400, 401, 404, 412) },
      },
    },
    async (request, reply) =>
      sendTagged(
        request,
        reply,
        engine.updateAlias(request.ctx, request.params.name, request.body, preconditionOf(request)),
      ),
  )

  app.delete(
    '/v1/aliases/:name',
    {
      schema: {
        params: AliasParams,
        summary: 'Delete an alias',
        response: { 204: NoContent, ...faults(401, 404, 412) },
      },
    },
    async (request, reply) => {
      engine.deleteAlias(request.ctx, request.params.name, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
