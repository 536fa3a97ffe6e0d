import t from 'tap'

import { Api, expectFault } from '../helpers/api.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const zip = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])

const server = await startServer({ dataDir: t.testdir() })
t.teardown(() => server.close())
const api = new Api(server.url, t)
const fn = await api.createFunction(zip(1), { name: 'shapes' })
await api.createVersion(fn.id, 'one')
await api.createAlias({ name: 'live', function_id: fn.id, function_version: 1 })

/** A route template with this test's function, version and alias in it. */
const pathOf = (url: string) => url.replace(':id', fn.id).replace(':version', '1').replace(':name', 'live')
const bodyRoutes = server.app.knownRoutes
  .list()
  .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.url.startsWith('/v1/'))

t.test('a JSON body that is not an object is refused on every route that takes one', async (t) => {
  t.ok(bodyRoutes.length >= 8, `${bodyRoutes.length} routes take a body`)
  for (const { method, url } of bodyRoutes) {
    for (const [raw, kind] of [
      ['null', 'null'],
      ['[]', 'a list'],
      ['"x"', 'a string'],
      ['5', 'a number'],
      ['true', 'true or false'],
    ]) {
      expectFault(
        t,
        await api.call(method, pathOf(url), { raw: { body: raw!, contentType: 'application/json' } }),
        400,
        `The request body must be a JSON object, not ${kind}.`,
        `${method} ${url} with ${raw}`,
      )
    }
  }
  t.same(await api.versionNumbers(fn.id), [1], 'no version was made by a null body')
  t.match((await api.get(`/v1/functions/${fn.id}`)).json(), { name: 'shapes' }, 'nor was the function changed')
  t.equal((await api.get('/v1/aliases/live')).status, 200, 'nor was the alias deleted')
  const bare = await api.post(`/v1/functions/${fn.id}/versions`, { raw: { body: '' } })
  t.equal(bare.status, 403, `no body at all: ${bare.text}`)
})

t.test('a wrong type answers one sentence naming the field and what it must be', async (t) => {
  const cases: Array<[string, string, unknown, string]> = [
    ['POST', `/v1/functions/${fn.id}/versions`, { description: 5 }, 'Invalid description: must be a string or null.'],
    ['POST', '/v1/aliases', { name: 'x' }, 'Missing function_id: it is required.'],
    ['POST', '/v1/aliases', { name: 7, function_id: fn.id }, 'Invalid name: must be a string.'],
    [
      'PUT',
      '/v1/aliases/live',
      { function_version: true },
      'Invalid function_version: must be a string or a number or null.',
    ],
    ['PUT', '/v1/aliases/live', { description: {} }, 'Invalid description: must be a string or null.'],
  ]
  for (const [method, path, json, message] of cases) {
    expectFault(t, await api.call(method, path, { json }), 400, message, `${method} ${path} ${JSON.stringify(json)}`)
  }
})

t.test('a wrong method on a known path is 405 naming the allowed ones', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['PATCH', `/v1/functions/${fn.id}`, 'DELETE, GET, HEAD, PUT'],
    ['PUT', '/v1/functions', 'GET, HEAD, POST'],
    ['POST', `/v1/functions/${fn.id}/versions/1`, 'DELETE, GET, HEAD'],
    ['DELETE', '/v1/aliases', 'GET, HEAD, POST'],
    ['GET', `/v1/functions/${fn.id}/detach`, 'POST'],
  ]
  for (const [method, path, allow] of cases) {
    const reply = await api.call(method, path)
    expectFault(t, reply, 405, `${method} is not allowed on ${path}: use ${allow}.`, `${method} ${path}`)
    t.equal(reply.headers.get('allow'), allow, `${method} ${path}: Allow`)
  }
  expectFault(t, await api.call('PATCH', '/v1/nothing'), 404, 'No such resource: PATCH /v1/nothing.', 'unknown path')
})
