import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { Engine } from '../../engine/engine.js'
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
      return reply.code(201).send(engine.createAlias(request.ctx, request.body))
    },
  )

  app.get(
    '/v1/aliases',
    { schema: { summary: "List the project's aliases", response: { 200: AliasList, ...faults(401) } } },
    async (request) => ({
      function_aliases: engine.listAliases(request.ctx),
    }),
  )

  app.get(
    '/v1/aliases/:name',
    { schema: { params: AliasParams, summary: 'Show an alias', response: { 200: AliasAnswer, ...faults(401, 404) } } },
    async (request) => engine.getAlias(request.ctx, request.params.name),
  )

  app.put(
    '/v1/aliases/:name',
    {
      schema: {
        params: AliasParams,
        body: AliasUpdateBody,
        summary: 'Point an alias elsewhere; null leaves a field as it is',
        response: { 200: AliasAnswer, ...faults(400, 401, 404) },
      },
    },
    async (request) => engine.updateAlias(request.ctx, request.params.name, request.body),
  )

  app.delete(
    '/v1/aliases/:name',
    {
      schema: { params: AliasParams, summary: 'Delete an alias', response: { 204: NoContent, ...faults(401, 404) } },
    },
    async (request, reply) => {
      engine.deleteAlias(request.ctx, request.params.name)
      return reply.code(204).send(null)
    },
  )
}
