import SwaggerParser from '@apidevtools/swagger-parser'
import { Value } from '@sinclair/typebox/value'
import t from 'tap'

import type { RequestContext } from '../../engine/context.js'
import { AliasRecord, FunctionRecord, VersionRecord } from '../../engine/records.js'
import { ALIAS_EXAMPLE, FAULT_EXAMPLES, FUNCTION_EXAMPLE, VERSION_EXAMPLE } from '../../server/api-examples.js'
import { Fault } from '../../server/schemas.js'
import { tokenAuthenticate } from '../../server/token-auth.js'
import { Api, type Json } from '../helpers/api.js'
import { type RunningServer, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

type Operation = { responses: Record<string, unknown>; security?: unknown[]; requestBody?: unknown }
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> }

// The token check needs the engine the server opens: it is looked up at request time.
const holder: { server?: RunningServer } = {}
const server = await startServer({
  dataDir: t.testdir(),
  authenticate: (request) => tokenAuthenticate(holder.server!.engine.tokens)(request),
})
holder.server = server
t.teardown(() => server.close())
const { url, engine, app } = server
const ctx: RequestContext = { projectId: 'p1', role: 'member', actor: 'test' }
const token = engine.tokens.createToken({ projectId: ctx.projectId }).token
const api = new Api(url, t)
const authed = { headers: { 'x-auth-token': token } }

t.test('the description is valid OpenAPI, served without a token', async (t) => {
  const reply = await api.get('/v1/openapi.json')
  t.equal(reply.status, 200)
  const doc = reply.json<Document>()
  t.equal(doc.openapi, '3.1.0')
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), 'swagger-parser finds it valid')
  t.equal((await api.get('/docs')).status, 200, 'the docs page needs no token either')
})

t.test('it lists exactly the routes Fastify has, each with its error answers', async (t) => {
  const doc = (await api.get('/v1/openapi.json')).json<Document>()
  const described = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort()
  // HEAD is Fastify's automatic twin of each GET; /docs/* is the Swagger UI's own pages and assets.
  const routed = app.knownRoutes
    .list()
    .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'))
    .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
    .sort()
  t.same(described, [...new Set(routed)], 'the same method and path pairs')
  t.ok(routed.length >= 18, `${routed.length} routes`)

  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const statuses = Object.keys(op.responses)
      const refused = path.endsWith('/git-receive-pack') // push: never anything but 403
      t.equal(
        statuses.some((s) => s.startsWith('2')),
        !refused,
        `${method} ${path}: a success answer`,
      )
      if (!path.startsWith('/v1/functions') && !path.startsWith('/v1/aliases')) continue
      t.ok(statuses.includes('401'), `${method} ${path}: 401 described`)
      for (const s of statuses.filter((s) => s.startsWith('4'))) {
        const media = (op.responses[s] as { content: Record<string, { schema: Json; example?: unknown }> }).content[
          'application/json'
        ]!
        t.match(media.schema.required, ['faultstring'], `${method} ${path} ${s}: the fault shape`)
        t.same(media.example, FAULT_EXAMPLES[Number(s)], `${method} ${path} ${s}: a real refusal as example`)
      }
    }
  }
  const create = doc.paths['/v1/functions']!.post!.requestBody as { content: Record<string, { schema: Json }> }
  t.ok(create.content['multipart/form-data'], 'the multipart create is described')
  t.match(create.content['multipart/form-data']!.schema, { properties: { package: { format: 'binary' } } })
  t.ok(doc.paths['/v1/functions/{id}']!.put!.requestBody, 'so is the update')
  t.ok(doc.paths['/v1/functions/{id}/versions']!.post!.requestBody, 'and a schema-checked body')
  t.same(doc.paths['/v1/openapi.json']!.get!.security, [], 'the description needs no token')
  t.same(doc.paths['/git/{repo}/info/refs']!.get!.security, [{ gitBasic: [] }], 'git is HTTP Basic')
})

t.test('examples fit their schemas, and every answer carries every field the engine gives', async (t) => {
  for (const [schema, example, what] of [
    [FunctionRecord, FUNCTION_EXAMPLE, 'function'],
    [VersionRecord, VERSION_EXAMPLE, 'version'],
    [AliasRecord, ALIAS_EXAMPLE, 'alias'],
  ] as const) {
    t.ok(Value.Check(schema, example), `the ${what} example fits`)
    t.same(Object.keys(example).sort(), Object.keys(schema.properties).sort(), `the ${what} example has every field`)
  }
  for (const fault of Object.values(FAULT_EXAMPLES)) t.ok(Value.Check(Fault, fault))

  // fast-json-stringify drops a field its schema does not list: compare the answers with the engine's own records.
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n    return 1\n' }])
  const made = await api.post('/v1/functions', { ...authed, form: formFor(zip) })
  const id = made.json<{ id: string }>().id
  await api.post(`/v1/functions/${id}/versions`, { ...authed, json: { description: 'one' } })
  await api.post('/v1/aliases', { ...authed, json: { name: 'live', function_id: id, function_version: 1 } })
  const pairs: Array<[string, unknown, string]> = [
    ['function show', engine.getFunction(ctx, id), `/v1/functions/${id}`],
    ['version show', engine.getVersion(ctx, id, '1'), `/v1/functions/${id}/versions/1`],
    ['alias show', engine.getAlias(ctx, 'live'), '/v1/aliases/live'],
  ]
  for (const [what, record, path] of pairs) {
    t.same((await api.get(path, authed)).json(), record, `${what}: every field of the engine's record`)
  }
  const lists: Array<[string, unknown, string, string]> = [
    ['function list', engine.listFunctions(ctx, {}).items, '/v1/functions', 'functions'],
    ['version list', engine.listVersions(ctx, id).items, `/v1/functions/${id}/versions`, 'function_versions'],
    ['alias list', engine.listAliases(ctx).items, '/v1/aliases', 'function_aliases'],
  ]
  for (const [what, records, path, key] of lists) {
    t.same((await api.get(path, authed)).json<Json>()[key], records, `${what}: every field of every record`)
  }
})

function formFor(zip: Buffer): FormData {
  const form = new FormData()
  form.append('code', JSON.stringify({ source: 'package' }))
  form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  return form
}
