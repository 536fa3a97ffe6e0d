import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'

import type { Page } from '../engine/paging.js'

/** `limit` and `marker`, checked by the engine so that a bad one is a 400 that says what is wrong with it. */
export const PageQuery = {
  limit: Type.Optional(Type.String({ description: 'page size, 1-1000; without it, everything' })),
  marker: Type.Optional(Type.String({ description: 'the last item of the previous page' })),
}

/** A list answer: `{"<key>": [...]}`, and `next` when more items remain. */
export const ListOf = <K extends string, T extends TSchema>(key: K, item: T) =>
  Type.Object({
    ...({ [key]: Type.Array(item) } as { [P in K]: ReturnType<typeof Type.Array<T>> }),
    next: Type.Optional(Type.String({ description: 'the path and query of the next page' })),
  })

/** The answer for one page; `next` is this request's path and query with the next page's marker. */
export function listAnswer<K extends string, T>(request: FastifyRequest, key: K, page: Page<T>) {
  const body = { [key]: page.items } as { [P in K]: T[] } & { next?: string }
  if (page.nextMarker !== undefined) {
    const url = new URL(request.url, 'http://localhost')
    url.searchParams.set('marker', page.nextMarker)
    body.next = `${url.pathname}${url.search}`
  }
  return body
}
