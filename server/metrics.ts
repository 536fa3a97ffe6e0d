import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

import type { Engine } from '../engine/engine.js'

/** Seconds: most requests take milliseconds, an upload or a clone of a big package seconds. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const SYNC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

/**
 * The process's Prometheus metrics. Labels are route templates, methods, statuses, cache names
 * and kinds of write only: never a raw URL, function id, project or token, so that their number
 * stays bounded and nothing private reaches a scraper.
 */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly requests = new Counter({
    name: 'tagstone_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  })
  readonly requestSeconds = new Histogram({
    name: 'tagstone_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  })
  readonly versionsCreated = this.#counter('tagstone_versions_created_total', 'Versions created.')
  readonly versionsDeleted = this.#counter('tagstone_versions_deleted_total', 'Versions deleted.')
  readonly versionsRestored = this.#counter('tagstone_versions_restored_total', 'Versions restored as current code.')
  readonly uploads = this.#counter('tagstone_uploads_total', 'Packages received (function create or update).')
  readonly uploadBytes = this.#counter('tagstone_upload_bytes_total', 'Bytes of packages received.')
  readonly clones = this.#counter('tagstone_git_clones_total', 'Packs sent to a git clone (no have lines).')
  readonly fetches = this.#counter('tagstone_git_fetches_total', 'Packs sent to a git fetch (with have lines).')
  readonly gitBytes = this.#counter('tagstone_git_sent_bytes_total', 'Bytes of upload-pack answers sent whole.')
  readonly syncSeconds = new Histogram({
    name: 'tagstone_write_sync_duration_seconds',
    help: 'Time of each fsync of a durable write, by what was synced (file or directory).',
    labelNames: ['what'] as const,
    buckets: SYNC_BUCKETS,
    registers: [this.registry],
  })

  constructor(engine: Engine) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tagstone_' })
    // Cache counts live in the caches as plain numbers; read them at scrape time.
    const cacheCounter = (name: string, help: string, pick: (s: { hits: number; misses: number }) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['cache'] as const,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const stats of engine.stats().caches) this.inc({ cache: stats.cache }, pick(stats))
        },
      })
    cacheCounter('tagstone_cache_hits_total', 'Cache lookups that found their entry, by cache.', (s) => s.hits)
    cacheCounter('tagstone_cache_misses_total', 'Cache lookups that did not, by cache.', (s) => s.misses)
  }

  #counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] })
  }
}

/**
 * What each answered request counts for. Version creates, deletes and restores are counted by their
 * routes' success statuses, so that a refused one counts only as a request.
 */
const COUNTED: Record<string, (m: ServerMetrics) => Counter> = {
  'POST /v1/functions/:id/versions 201': (m) => m.versionsCreated,
  'DELETE /v1/functions/:id/versions/:version 204': (m) => m.versionsDeleted,
  'POST /v1/functions/:id/versions/:version/restore 200': (m) => m.versionsRestored,
}

/** `GET /metrics` (no token: do not expose it beyond the scraper) and the hooks that feed it. */
export function installMetrics(app: FastifyInstance, engine: Engine): ServerMetrics {
  const metrics = new ServerMetrics(engine)
  engine.observeSyncs((seconds, what) => metrics.syncSeconds.observe({ what }, seconds))
  app.addHook('onClose', async () => engine.observeSyncs(undefined))
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const labels = { route, method: request.method, status: String(reply.statusCode) }
    metrics.requests.inc(labels)
    metrics.requestSeconds.observe(labels, reply.elapsedTime / 1000)
    COUNTED[`${request.method} ${route} ${reply.statusCode}`]?.(metrics).inc()
  })
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text format)',
        tags: ['operations'],
        security: [],
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text format 0.0.4', type: 'string' } },
      },
    },
    async (_request, reply) => await reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
  return metrics
}
