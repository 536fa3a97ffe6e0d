import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { Engine } from '../../engine/engine.js'
import { EventRecord } from '../../engine/records.js'
import { listAnswer, ListOf } from '../paging.js'
import { EventsQuery, faults, truthy } from '../schemas.js'

/** The audit log, oldest first, a page at a time: `next` is the path and query of the following page. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.get(
    '/v1/events',
    {
      schema: {
        querystring: EventsQuery,
        summary: 'The audit log, oldest first: one event per change',
        response: { 200: ListOf('events', EventRecord), ...faults(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query
      const page = engine.listEvents(request.ctx, {
        allProjects: truthy(q.all_projects),
        ...(q.function_id !== undefined ? { functionId: q.function_id } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        limit: q.limit,
        marker: q.marker,
      })
      return listAnswer(request, 'events', page)
    },
  )
}
