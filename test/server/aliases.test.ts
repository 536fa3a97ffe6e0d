import t from 'tap'

import { type AliasJson, Api, expectFault, type Tap } from '../helpers/api.js'
import { startServer } from '../helpers/server.js'
import { checkAlias } from '../helpers/shapes.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])
const UNKNOWN = '4a9c2d8e-1111-4222-8333-944455556666'

/** A server with one function holding versions 1 and 2. */
async function setup(t: Tap) {
  const clock = { now: new Date('2032-02-03T04:05:06Z') }
  const server = await startServer({ dataDir: t.testdir(), now: () => clock.now })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(1), { name: 'aliased' })
  await api.createVersion(fn.id, 'one')
  await api.uploadPackage(fn.id, pkg(2))
  await api.createVersion(fn.id, 'two')
  return { api, clock, fn }
}

t.test('create answers 201 with every Qinling field; version 0 by default', async (t) => {
  const { api, fn } = await setup(t)
  const reply = await api.post('/v1/aliases', { json: { name: 'prod', function_id: fn.id } })
  t.equal(reply.status, 201)
  const alias = reply.json<AliasJson>()
  checkAlias(t, alias)
  t.match(alias, {
    name: 'prod',
    function_id: fn.id,
    function_version: 0,
    description: null,
    project_id: 'default',
    created_at: '2032-02-03 04:05:06',
    updated_at: null,
  })
})

t.test('create as the openstack client does: version as a number, description always sent', async (t) => {
  const { api, fn } = await setup(t)
  const alias = await api.createAlias({ name: 'stable', function_id: fn.id, function_version: 1, description: '' })
  t.match(alias, { function_version: 1, description: '' })
  const fromString = await api.createAlias({
    name: 'beta',
    function_id: fn.id,
    function_version: '2',
    description: 'the newest',
  })
  t.match(fromString, { function_version: 2, description: 'the newest' }, 'a version sent as a string')
  const fromNull = await api.createAlias({
    name: 'head',
    function_id: fn.id,
    function_version: null,
    description: null,
  })
  t.match(fromNull, { function_version: 0, description: null }, 'null on create is the default')
  const upper = await api.createAlias({ name: 'caps', function_id: fn.id.toUpperCase() })
  t.equal(upper.function_id, fn.id, 'the function id is stored as the function spells it')
})

t.test('list and show', async (t) => {
  const { api, clock, fn } = await setup(t)
  t.same((await api.get('/v1/aliases')).json(), { function_aliases: [] }, 'none yet, still an object')
  const a = await api.createAlias({ name: 'a', function_id: fn.id, function_version: 1 })
  clock.now = new Date('2032-02-03T04:05:07Z')
  const b = await api.createAlias({ name: 'b', function_id: fn.id })
  const list = await api.get('/v1/aliases')
  t.equal(list.status, 200)
  const body = list.json<{ function_aliases: AliasJson[] }>()
  t.same(Object.keys(body), ['function_aliases'])
  t.same(body.function_aliases, [a, b], 'in creation order')
  body.function_aliases.forEach((x, i) => checkAlias(t, x, `list item ${i}`))
  const shown = await api.get('/v1/aliases/a')
  t.equal(shown.status, 200)
  t.same(shown.json(), a)
  expectFault(t, await api.get('/v1/aliases/nope'), 404, 'Alias nope not found.', 'unknown alias')
})

t.test('update as the real client sends it: nulls for "leave as is", the version as a string', async (t) => {
  const { api, clock, fn } = await setup(t)
  await api.createAlias({ name: 'prod', function_id: fn.id, function_version: 1, description: 'keep me' })
  clock.now = new Date('2032-02-03T05:00:00Z')

  const moved = await api.put('/v1/aliases/prod', {
    json: { function_id: null, function_version: '2', description: null },
  })
  t.equal(moved.status, 200)
  const afterMove = moved.json<AliasJson>()
  checkAlias(t, afterMove)
  t.match(
    afterMove,
    { function_id: fn.id, function_version: 2, description: 'keep me', updated_at: '2032-02-03 05:00:00' },
    'null description is not ""',
  )

  const described = await api.put('/v1/aliases/prod', {
    json: { function_id: null, function_version: null, description: 'new words' },
  })
  t.match(
    described.json(),
    { function_id: fn.id, function_version: 2, description: 'new words' },
    'null version is not 0',
  )

  const toZero = await api.put('/v1/aliases/prod', {
    json: { function_id: null, function_version: '0', description: null },
  })
  t.match(toZero.json(), { function_version: 0, description: 'new words' }, 'an explicit 0 is 0')

  const cleared = await api.put('/v1/aliases/prod', {
    json: { function_id: null, function_version: null, description: '' },
  })
  t.match(cleared.json(), { function_version: 0, description: '' }, 'an explicit "" clears the description')

  const numeric = await api.put('/v1/aliases/prod', { json: { function_version: 1 } })
  t.match(numeric.json(), { function_version: 1, description: '' }, 'absent fields are left too')
  t.same((await api.get('/v1/aliases/prod')).json(), numeric.json(), 'show agrees')
})

t.test('update errors', async (t) => {
  const { api, fn } = await setup(t)
  await api.createAlias({ name: 'prod', function_id: fn.id, function_version: 1 })
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { function_version: 7 } }),
    400,
    `Version 7 of function ${fn.id} does not exist.`,
    'a version that does not exist',
  )
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { function_version: 'two' } }),
    400,
    undefined,
    'not a number',
  )
  expectFault(t, await api.put('/v1/aliases/prod', { json: { function_version: -1 } }), 400, undefined, 'negative')
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { function_id: UNKNOWN } }),
    404,
    undefined,
    'an unknown function',
  )
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { function_id: 'not-a-uuid' } }),
    400,
    undefined,
    'a malformed function id',
  )
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { description: 'd'.repeat(256) } }),
    400,
    undefined,
    'a description too long',
  )
  expectFault(
    t,
    await api.put('/v1/aliases/nope', { json: { description: 'x' } }),
    404,
    'Alias nope not found.',
    'an unknown alias',
  )
  t.match(
    (await api.get('/v1/aliases/prod')).json(),
    { function_version: 1, updated_at: null },
    'refused updates change nothing',
  )
})

t.test('an alias can move to another function', async (t) => {
  const { api, fn } = await setup(t)
  const other = await api.createFunction(pkg(9), { name: 'other' })
  await api.createAlias({ name: 'prod', function_id: fn.id, function_version: 2 })
  expectFault(
    t,
    await api.put('/v1/aliases/prod', { json: { function_id: other.id } }),
    400,
    `Version 2 of function ${other.id} does not exist.`,
    'keeping a version the other function lacks',
  )
  const moved = await api.put('/v1/aliases/prod', { json: { function_id: other.id, function_version: 0 } })
  t.equal(moved.status, 200)
  t.match(moved.json(), { function_id: other.id, function_version: 0 })
  t.equal((await api.delete(`/v1/functions/${fn.id}`)).status, 204, 'the first function is free to go')
})

t.test('create errors', async (t) => {
  const { api, fn } = await setup(t)
  await api.createAlias({ name: 'taken', function_id: fn.id })
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'taken', function_id: fn.id, function_version: 1 } }),
    409,
    'Alias taken already exists.',
    'a duplicate name',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: fn.id, function_version: 3 } }),
    400,
    `Version 3 of function ${fn.id} does not exist.`,
    'a version that does not exist',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: fn.id, function_version: '1.5' } }),
    400,
    undefined,
    'not a whole number',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: fn.id, function_version: -2 } }),
    400,
    undefined,
    'negative',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: UNKNOWN } }),
    404,
    `Function ${UNKNOWN} not found.`,
    'an unknown function',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: 'abc' } }),
    400,
    undefined,
    'a malformed function id',
  )
  expectFault(t, await api.post('/v1/aliases', { json: { function_id: fn.id } }), 400, undefined, 'no name')
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: '', function_id: fn.id } }),
    400,
    undefined,
    'an empty name',
  )
  expectFault(t, await api.post('/v1/aliases', { json: { name: 'x' } }), 400, undefined, 'no function')
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'x', function_id: fn.id, description: 'd'.repeat(256) } }),
    400,
    undefined,
    'a description too long',
  )
  expectFault(
    t,
    await api.post('/v1/aliases', { raw: { body: '{"name": ', contentType: 'application/json' } }),
    400,
    /not valid JSON/,
    'malformed JSON',
  )
  t.same(
    (await api.get('/v1/aliases')).json<{ function_aliases: AliasJson[] }>().function_aliases.map((a) => a.name),
    ['taken'],
    'nothing else was made',
  )
})

t.test('a deleted version cannot be aliased', async (t) => {
  const { api, fn } = await setup(t)
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/1`)).status, 204)
  expectFault(
    t,
    await api.post('/v1/aliases', { json: { name: 'old', function_id: fn.id, function_version: 1 } }),
    400,
    `Version 1 of function ${fn.id} does not exist.`,
  )
})

t.test('an aliased version and an aliased function cannot be deleted', async (t) => {
  const { api, fn } = await setup(t)
  await api.createAlias({ name: 'pin', function_id: fn.id, function_version: 1 })
  expectFault(
    t,
    await api.delete(`/v1/functions/${fn.id}/versions/1`),
    403,
    'Version 1 is used by alias(es) pin; delete or move them first.',
    'the aliased version',
  )
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204, 'a version no alias names can go')
  expectFault(
    t,
    await api.delete(`/v1/functions/${fn.id}`),
    403,
    `Function ${fn.id} is used by alias(es) pin; delete or move them first.`,
    'the aliased function',
  )

  await api.put('/v1/aliases/pin', { json: { function_id: null, function_version: '0', description: null } })
  t.equal(
    (await api.delete(`/v1/functions/${fn.id}/versions/1`)).status,
    204,
    'once the alias moved away, the version can go',
  )
  expectFault(
    t,
    await api.delete(`/v1/functions/${fn.id}`),
    403,
    /used by alias\(es\) pin/,
    'an alias on version 0 still holds the function',
  )

  const gone = await api.delete('/v1/aliases/pin')
  t.equal(gone.status, 204)
  t.equal(gone.text, '')
  expectFault(t, await api.delete('/v1/aliases/pin'), 404, 'Alias pin not found.', 'a second delete')
  t.equal((await api.delete(`/v1/functions/${fn.id}`)).status, 204, 'with no alias left the function can go')
})

t.test("version 0 follows the function's current code", async (t) => {
  const { api, fn } = await setup(t)
  const head = await api.createAlias({ name: 'head', function_id: fn.id, function_version: 0 })
  await api.uploadPackage(fn.id, pkg(3))
  t.same((await api.get('/v1/aliases/head')).json(), head, 'a new upload does not touch an alias on version 0')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204, 'nor does it hold any version')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/1`)).status, 204)
})

t.test('names are what a path segment carries as it stands, and nothing else', async (t) => {
  const { api, fn } = await setup(t)
  const edge = `A-z_0.9~${'n'.repeat(247)}`
  await api.createAlias({ name: edge, function_id: fn.id })
  await api.createAlias({ name: '.hidden', function_id: fn.id })
  t.equal((await api.get(`/v1/aliases/${edge}`)).status, 200, 'every allowed character, 255 of them')
  t.equal((await api.get('/v1/aliases/.hidden')).status, 200)
  expectFault(t, await api.get('/v1/aliases/.HIDDEN'), 404, undefined, 'names are case-sensitive')
  for (const bad of ['with space', 'ünï', 'a/b', 'a?b', 'a#b', 'a%20b', '.', '..']) {
    expectFault(
      t,
      await api.post('/v1/aliases', { json: { name: bad, function_id: fn.id } }),
      400,
      /^Invalid name '.*': an alias name is 1 to 255 of the characters A-Z a-z 0-9 \. _ ~ -/,
      `refused: ${JSON.stringify(bad.slice(0, 20))}`,
    )
  }
  t.equal((await api.get('/v1/aliases')).json<{ function_aliases: unknown[] }>().function_aliases.length, 2)
})
