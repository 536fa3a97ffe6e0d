import { readFileSync } from 'node:fs'

import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'

import { FunctionCreateForm, FunctionUpdateForm } from './schemas.js'

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/**
 * Bodies that the routes read themselves (multipart, a form or JSON, see function-body.ts) and so
 * do not give Fastify to validate: described here, for the API description only.
 */
const READ_BY_HAND: Record<string, TSchema> = {
  'POST /v1/functions': FunctionCreateForm,
  'PUT /v1/functions/{id}': FunctionUpdateForm,
}
const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json']

/**
 * @fastify/swagger, which collects every route's schema as it is registered: call it before
 * any route. The description is OpenAPI 3.1, so that `null` is a type as it is in the schemas.
 */
export async function collectApiDescription(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tagstone',
        version: packageVersion,
        description:
          'The OpenStack Qinling v1 API for functions, versions and aliases, with every function a git repository. ' +
          'Errors are JSON `{"faultstring", "error"}`.',
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
          gitBasic: { type: 'http', scheme: 'basic', description: 'any user name, a token as the password' },
        },
      },
      security: [{ token: [] }],
    },
    transform: ({ schema, url, route }) => {
      const body = READ_BY_HAND[`${String(route.method)} ${url.replace(/:(\w+)/g, '{$1}')}`]
      return body ? { schema: { ...schema, body, consumes: FORM_TYPES }, url } : { schema, url }
    },
  })
}

/** `GET /v1/openapi.json` and the Swagger UI at `/docs` (its assets from the package). No token. */
export async function serveApiDescription(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/openapi.json',
    {
      schema: {
        summary: 'This API description (OpenAPI 3.1)',
        tags: ['operations'],
        security: [],
        response: { 200: Type.Object({ openapi: Type.String() }, { additionalProperties: true }) },
      },
    },
    async () => app.swagger(),
  )
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })
}
