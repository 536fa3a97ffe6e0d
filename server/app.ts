import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions, LogController } from 'fastify'

import type { Engine } from '../engine/engine.js'
import { collectApiDescription, serveApiDescription } from './api-docs.js'
import { installErrorHandling, RequestError, toFault } from './errors.js'
import { KnownRoutes } from './known-routes.js'
import { installMetrics } from './metrics.js'
import { actAsDefaultAdmin, type Authenticate } from './request-context.js'
import { installRequestLog, requestIdFor } from './request-log.js'
import { aliasRoutes } from './routes/aliases.js'
import { eventRoutes } from './routes/events.js'
import { functionRoutes } from './routes/functions.js'
import { gitRoutes } from './routes/git.js'
import { healthRoutes, type Readiness } from './routes/health.js'
import { versionRoutes } from './routes/versions.js'
import { formatSchemaErrors } from './validation-message.js'

export interface AppOptions {
  engine: Engine
  authenticate?: Authenticate
  /** Who a git request acts as (HTTP Basic with a token in `serve`); the default admin of `default` unless given. */
  authenticateGit?: Authenticate
  logger?: FastifyServerOptions['logger']
  /** Shared with `serve`, which marks it stopping on a signal so `/readyz` answers 503. */
  readiness?: Readiness
}

/**
 * Headers that carry secrets; never logged. Not only under `req`: plugins log
 * headers of their own (@fastify/multipart logs its busboy options at trace).
 */
export const REDACTED_HEADERS = [
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
  '*.headers["x-auth-token"]',
  '*.headers.authorization',
]

/** Builds the HTTP app around an engine. It never listens, so tests can `inject()` it. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Fastify's two lines per request give way to installRequestLog's one.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    // Without coercion a null stays null: the openstack client sends null for "leave as is".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // Package uploads are bounded by the multipart file limit; this bounds JSON and forms.
    bodyLimit: 1024 * 1024,
    // An alias name may be 255 characters; the router's default stops a path parameter at 100.
    routerOptions: { maxParamLength: 255 },
    schemaErrorFormatter: formatSchemaErrors,
    // Errors found before routing (a URL with a broken %-escape) skip the error handler: answer them as faults too.
    frameworkErrors: (err, _request, reply) => {
      const fault = toFault(err)
      void (reply as FastifyReply).code(fault.status).type('application/json').send(fault.body)
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  const authenticate = options.authenticate ?? actAsDefaultAdmin
  const routes = new KnownRoutes()
  app.addHook('onRoute', (route) => routes.add(route))
  app.decorate('knownRoutes', routes)

  installErrorHandling(app, routes)
  installRequestLog(app)
  await collectApiDescription(app)
  await serveApiDescription(app)
  const metrics = installMetrics(app, options.engine)
  installBodyParsers(app)
  await app.register(multipart, {
    limits: { fileSize: options.engine.limits.maxPackageBytes, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60 },
  })
  app.decorateRequest('ctx', null as never)
  // The REST API's own context: its auth hook does not reach the git routes, which answer 401 the git way.
  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      request.ctx = await authenticate(request)
    })
    await api.register(functionRoutes, { engine: options.engine, metrics })
    await api.register(versionRoutes, { engine: options.engine })
    await api.register(aliasRoutes, { engine: options.engine })
    await api.register(eventRoutes, { engine: options.engine })
  })
  await app.register(healthRoutes, { engine: options.engine, readiness: options.readiness ?? { stopping: false } })
  const authenticateGit = options.authenticateGit ?? actAsDefaultAdmin
  await app.register(gitRoutes, {
    authorizeGit: async (request, functionId) =>
      options.engine.gitRepository(await authenticateGit(request), functionId),
    onPackSent: ({ kind, bytes }) => {
      ;(kind === 'clone' ? metrics.clones : metrics.fetches).inc()
      metrics.gitBytes.inc(bytes)
    },
  })
  return app
}

function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  // An empty JSON body is "no fields" (clients send Content-Type: application/json on bodiless calls).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim()
    if (text === '') return done(null, undefined)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      return done(
        new RequestError('INVALID_JSON', `The request body is not valid JSON: ${(err as Error).message}.`),
        undefined,
      )
    }
    // Every JSON body the API takes is an object of fields; `null` must not read as "no fields".
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return done(
        new RequestError('BAD_REQUEST', `The request body must be a JSON object, not ${jsonKind(parsed)}.`),
        undefined,
      )
    }
    done(null, parsed)
  })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'true or false'
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as Fastify registered it. */
    knownRoutes: KnownRoutes
  }
}
