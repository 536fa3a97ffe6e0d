import t from 'tap'

import { type AliasJson, Api, expectFault, type Tap } from '../helpers/api.js'
import { startServer } from '../helpers/server.js'
import { checkAlias } from '../helpers/shapes.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])

type Weighted = AliasJson & { routing_config: { additional_version_weights: Record<string, number> } | null }

/** One server for the file; each test gets a function with versions 1 to 4. */
async function setup(t: Tap) {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  for (const n of [2, 3, 4]) {
    await api.uploadPackage(fn.id, pkg(n))
    await api.createVersion(fn.id)
  }
  return { api, fn }
}

const weights = (w: Record<string, unknown>) => ({ additional_version_weights: w })

t.test('an alias shows routing_config: null without weights, the weights with them', async (t) => {
  const { api, fn } = await setup(t)
  const plain = await api.createAlias({ name: 'plain', function_id: fn.id, function_version: 1 })
  checkAlias(t, plain)
  t.equal((plain as Weighted).routing_config, null)

  const reply = await api.post('/v1/aliases', {
    json: { name: 'canary', function_id: fn.id, function_version: 1, routing_config: weights({ 2: 0.1, '3': 0.25 }) },
  })
  t.equal(reply.status, 201)
  const canary = reply.json<Weighted>()
  checkAlias(t, canary)
  t.same(canary.routing_config, weights({ 2: 0.1, 3: 0.25 }), 'several extra versions, unlike Lambda')
  t.same((await api.get('/v1/aliases/canary')).json<Weighted>().routing_config, canary.routing_config)
  const listed = (await api.get('/v1/aliases')).json<{ function_aliases: Weighted[] }>().function_aliases
  t.same(listed.find((a) => a.name === 'canary')?.routing_config, canary.routing_config)
})

t.test('bad weights are 400 with a faultstring that says what is wrong', async (t) => {
  const { api, fn } = await setup(t)
  const create = (routing_config: unknown, function_version = 1) =>
    api.post('/v1/aliases', { json: { name: 'bad', function_id: fn.id, function_version, routing_config } })
  const cases: Array<[string, unknown, RegExp, number?]> = [
    ['weights summing to 1', weights({ 2: 0.5, 3: 0.5 }), /sum to 1; they must sum to less than 1/],
    ['weights summing past 1', weights({ 2: 0.7, 3: 0.6 }), /must sum to less than 1/],
    ['a weight of 0', weights({ 2: 0 }), /weight of version 2 must be a number above 0 and below 1/],
    ['a weight of 1', weights({ 2: 1 }), /below 1/],
    ['a negative weight', weights({ 2: -0.1 }), /above 0/],
    ['a weight as a string', weights({ 2: '0.1' }), /must be a number/],
    ['a missing version', weights({ 9: 0.1 }), /Version 9 of function .* does not exist/],
    ["the alias's own version", weights({ 1: 0.1 }), /version 1 is the alias's function_version/],
    ['version 0', weights({ 0: 0.1 }), /'0' is not a version number/],
    ['not a number', weights({ two: 0.1 }), /'two' is not a version number/],
    ['an unknown key', { weights: {} }, /unknown key 'weights'/],
    ['not an object', 'half', /must be an object/],
    ['weights not an object', weights([] as never), /must be an object of version number to weight/],
  ]
  for (const [what, config, message] of cases) expectFault(t, await create(config), 400, message, what)
  t.equal((await api.get('/v1/aliases')).json<{ function_aliases: unknown[] }>().function_aliases.length, 0)

  await api.createAlias({ name: 'ok', function_id: fn.id, function_version: 1, routing_config: weights({ 2: 0.2 }) })
  expectFault(
    t,
    await api.put('/v1/aliases/ok', { json: { function_version: 2 } }),
    400,
    /version 2 is the alias's function_version/,
    'moving the alias onto one of its extras',
  )
  expectFault(t, await api.put('/v1/aliases/ok', { json: { routing_config: weights({ 3: 0.9, 4: 0.2 }) } }), 400)
  t.same((await api.get('/v1/aliases/ok')).json<Weighted>().routing_config, weights({ 2: 0.2 }), 'left as it was')
})

t.test('a weighted version is protected from delete, naming the alias; clearing with {} frees it', async (t) => {
  const { api, fn } = await setup(t)
  await api.createAlias({
    name: 'canary',
    function_id: fn.id,
    function_version: 1,
    routing_config: weights({ 3: 0.1 }),
  })
  expectFault(t, await api.delete(`/v1/functions/${fn.id}/versions/3`), 403, /Version 3 is used by alias\(es\) canary/)
  expectFault(t, await api.delete(`/v1/functions/${fn.id}/versions/1`), 403, /canary/)

  // The openstack client's update: null for "leave as is".
  const kept = await api.put('/v1/aliases/canary', {
    json: { function_id: null, function_version: null, description: null, routing_config: null },
  })
  t.same(kept.json<Weighted>().routing_config, weights({ 3: 0.1 }), 'null leaves the weights as they are')
  const moved = await api.put('/v1/aliases/canary', { json: { routing_config: weights({ 4: 0.3 }) } })
  t.same(moved.json<Weighted>().routing_config, weights({ 4: 0.3 }), 'a new map replaces the old')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/3`)).status, 204, 'version 3 is free again')

  const cleared = await api.put('/v1/aliases/canary', { json: { routing_config: weights({}) } })
  t.equal(cleared.json<Weighted>().routing_config, null, '{} clears')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/4`)).status, 204, 'and frees the version')
  const emptied = await api.put('/v1/aliases/canary', { json: { routing_config: {} } })
  t.equal(emptied.json<Weighted>().routing_config, null, 'a bare {} clears too')
})
