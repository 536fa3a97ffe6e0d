import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'

import type { Engine } from '../engine/engine.js'
import { installErrorHandling, RequestError, toFault } from './errors.js'
import { actAsDefaultAdmin, type Authenticate } from './request-context.js'
import { aliasRoutes } from './routes/aliases.js'
import { functionRoutes } from './routes/functions.js'
import { gitRoutes } from './routes/git.js'
import { healthRoutes, type Readiness } from './routes/health.js'
import { versionRoutes } from './routes/versions.js'

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
    // Without coercion a null stays null: the openstack client sends null for "leave as is".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // Package uploads are bounded by the multipart file limit; this bounds JSON and forms.
    bodyLimit: 1024 * 1024,
    // Errors found before routing (a URL with a broken %-escape) skip the error handler: answer them as faults too.
    frameworkErrors: (err, _request, reply) => {
      const fault = toFault(err)
      void (reply as FastifyReply).code(fault.status).type('application/json').send(fault.body)
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  const authenticate = options.authenticate ?? actAsDefaultAdmin

  installErrorHandling(app)
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
    await api.register(functionRoutes, { engine: options.engine })
    await api.register(versionRoutes, { engine: options.engine })
    await api.register(aliasRoutes, { engine: options.engine })
  })
  await app.register(healthRoutes, { engine: options.engine, readiness: options.readiness ?? { stopping: false } })
  const authenticateGit = options.authenticateGit ?? actAsDefaultAdmin
  await app.register(gitRoutes, {
    authorizeGit: async (request, functionId) =>
      options.engine.gitRepository(await authenticateGit(request), functionId),
  })
  return app
}

function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  // An empty JSON body is "no fields" (clients send Content-Type: application/json on bodiless calls).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim()
    if (text === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text))
    } catch (err) {
      done(
        new RequestError('INVALID_JSON', `The request body is not valid JSON: ${(err as Error).message}.`),
        undefined,
      )
    }
  })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })
}
