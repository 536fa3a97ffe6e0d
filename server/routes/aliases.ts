import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

import type { Engine } from '../../engine/engine.js'
import { AliasRecord } from '../../engine/records.js'
import { preconditionOf, sendTagged } from '../etag-headers.js'
import { listAnswer, ListOf, PageQuery } from '../paging.js'
import { AliasCreateBody, AliasParams, AliasUpdateBody, faults } from '../schemas.js'

/** Function aliases: a per-project name for a function's version (0: its current code). */
export const aliasRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.post(
    '/v1/aliases',
    { schema: { body: AliasCreateBody, response: { 201: AliasRecord, ...faults(400, 401, 404, 409) } } },
    async (request, reply) => {
      return sendTagged(request, reply, engine.createAlias(request.ctx, request.body), 201)
    },
  )

  app.get(
    '/v1/aliases',
    {
      schema: {
        querystring: Type.Object(PageQuery),
        response: { 200: ListOf('function_aliases', AliasRecord), ...faults(400, 401) },
      },
    },
    async (request) => listAnswer(request, 'function_aliases', engine.listAliases(request.ctx, request.query)),
  )

  app.get(
    '/v1/aliases/:name',
    { schema: { params: AliasParams, response: { 200: AliasRecord, ...faults(401, 404) } } },
    async (request, reply) => sendTagged(request, reply, engine.getAlias(request.ctx, request.params.name)),
  )

  app.put(
    '/v1/aliases/:name',
    {
      schema: {
        params: AliasParams,
        body: AliasUpdateBody,
        response: { 200: AliasRecord, ...faults(400, 401, 404, 412) },
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
    { schema: { params: AliasParams, response: { 204: Type.Null(), ...faults(401, 404, 412) } } },
    async (request, reply) => {
      engine.deleteAlias(request.ctx, request.params.name, preconditionOf(request))
      return reply.code(204).send(null)
    },
  )
}
