import type { RouteOptions } from 'fastify'

interface KnownRoute {
  method: string
  url: string
  pattern: RegExp
}

/**
 * The routes the app has, as Fastify registers them (its `onRoute` hook feeds this): what a
 * 405 names in its `Allow` header, and what the API description is checked against.
 */
export class KnownRoutes {
  readonly #routes: KnownRoute[] = []

  add(route: Pick<RouteOptions, 'method' | 'url'>): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) this.#routes.push({ method, url: route.url, pattern: patternOf(route.url) })
  }

  /** Every method and route template, HEAD included (Fastify adds one to each GET). */
  list(): { method: string; url: string }[] {
    return this.#routes.map(({ method, url }) => ({ method, url }))
  }

  /** The methods some route answers on this path, sorted; empty when no route has the path. */
  methodsFor(path: string): string[] {
    return [...new Set(this.#routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort()
  }
}

/** `/v1/functions/:id` as a regular expression over a request path; `*` takes the rest. */
function patternOf(url: string): RegExp {
  const parts = url.split('/').map((part) => {
    if (part === '*') return '.*'
    if (part.startsWith(':')) return '[^/]+'
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  })
  return new RegExp(`^${parts.join('/')}$`)
}
