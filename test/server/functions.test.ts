import { existsSync } from 'node:fs'

import t from 'tap'

import { Api, codeMd5, expectFault, type FunctionJson, md5, rawGet, type Tap } from '../helpers/api.js'
import { gitdirOf } from '../helpers/data-dir.js'
import { functionForm, startServer } from '../helpers/server.js'
import { checkFunction } from '../helpers/shapes.js'
import { makeZip } from '../helpers/zip.js'

const ZIP_A = makeZip([{ name: 'main.py', content: 'def main():\n    return "a"\n' }])
const ZIP_B = makeZip([{ name: 'main.py', content: 'def main():\n    return "b"\n' }])
const ZIP_C = makeZip([
  { name: 'main.py', content: 'def main():\n    return "c"\n' },
  { name: 'lib.py', content: 'X = 1\n' },
])

/** A server whose clock the test moves, so times can be asserted exactly. */
async function setup(t: Tap) {
  const clock = { now: new Date('2030-05-06T07:08:09.750Z') }
  const dataDir = t.testdir()
  const server = await startServer({ dataDir, now: () => clock.now })
  t.teardown(() => server.close())
  return { api: new Api(server.url, t), clock, dataDir, server }
}

const multipart = (fields: Record<string, string>, zip?: Buffer) => {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  if (zip) form.append('package', new Blob([new Uint8Array(zip)]), 'p.zip')
  return form
}

t.test('create (multipart) answers 201 with every Qinling field', async (t) => {
  const { api } = await setup(t)
  const reply = await api.post('/v1/functions', {
    form: functionForm(ZIP_A, { name: 'hello', description: 'says hello', runtime_id: 'rt-1' }),
  })
  t.equal(reply.status, 201)
  t.match(reply.headers.get('content-type'), /^application\/json/)
  const fn = reply.json<FunctionJson>()
  checkFunction(t, fn)
  t.match(fn, {
    name: 'hello',
    description: 'says hello',
    runtime_id: 'rt-1',
    count: 0,
    entry: 'main.main',
    project_id: 'default',
    cpu: 100,
    memory_size: 33554432,
    timeout: 5,
    latest_version: 0,
    created_at: '2030-05-06 07:08:09',
    updated_at: null,
  })
  t.same(JSON.parse(fn.code), { source: 'package', md5sum: md5(ZIP_A) }, 'code is a JSON string naming the package md5')
})

t.test('create takes every field, numbers as form strings, and a correct md5sum', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A, {
    name: 'tuned',
    entry: 'app.handler',
    cpu: '300',
    memory_size: '134217728',
    timeout: '300',
    code: JSON.stringify({ source: 'package', md5sum: md5(ZIP_A).toUpperCase() }),
  })
  t.match(fn, { name: 'tuned', entry: 'app.handler', cpu: 300, memory_size: 134217728, timeout: 300 })
  t.equal(codeMd5(fn), md5(ZIP_A))
  const minimal = new FormData()
  minimal.append('package', new Blob([new Uint8Array(ZIP_B)]), 'p.zip')
  const bare = await api.post('/v1/functions', { form: minimal })
  t.equal(bare.status, 201, 'a package alone is enough: code defaults to a package')
  t.match(
    bare.json(),
    { name: null, description: null, runtime_id: null, entry: 'main.main' },
    'absent text fields are null',
  )
})

t.test('list is wrapped in an object, in creation order, each with every field', async (t) => {
  const { api, clock } = await setup(t)
  const empty = await api.get('/v1/functions')
  t.equal(empty.status, 200)
  t.same(empty.json(), { functions: [] }, 'an empty list is still an object')
  const one = await api.createFunction(ZIP_A, { name: 'one' })
  clock.now = new Date('2030-05-06T07:08:10Z')
  const two = await api.createFunction(ZIP_B, { name: 'two' })
  const list = (await api.get('/v1/functions')).json<{ functions: FunctionJson[] }>()
  t.same(Object.keys(list), ['functions'])
  t.same(
    list.functions.map((f) => f.id),
    [one.id, two.id],
  )
  list.functions.forEach((f, i) => checkFunction(t, f, `list item ${i}`))
  t.same(list.functions[0], one, 'a listed function is the function as shown')
})

t.test('show answers the function, by its id in any case', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A, { name: 'shown' })
  const shown = await api.get(`/v1/functions/${fn.id}`)
  t.equal(shown.status, 200)
  t.same(shown.json(), fn)
  const upper = await api.get(`/v1/functions/${fn.id.toUpperCase()}`)
  t.equal(upper.status, 200, 'a UUID in capitals is the same id')
  t.equal(upper.json<FunctionJson>().id, fn.id, 'and the answer spells it as created')
})

t.test('download is the very bytes uploaded, as a zip attachment, never gzipped', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_C)
  const reply = await api.get(`/v1/functions/${fn.id}?download=true`)
  t.equal(reply.status, 200)
  t.equal(reply.headers.get('content-type'), 'application/zip')
  t.match(reply.headers.get('content-disposition'), /^attachment\b/)
  t.equal(md5(reply.bytes), md5(ZIP_C), 'md5 of the download is the md5 of the upload')
  t.equal(md5(reply.bytes), codeMd5(fn), 'and is code.md5sum')
  t.same(reply.bytes, ZIP_C, 'byte for byte')

  const raw = await rawGet(`${api.url}/v1/functions/${fn.id}?download=true`, {
    'accept-encoding': 'gzip, deflate, br',
    accept: '*/*',
  })
  t.equal(raw.status, 200)
  t.equal(raw.headers['content-encoding'], undefined, 'no Content-Encoding even when the client accepts gzip')
  t.same(raw.bytes, ZIP_C, 'the bytes on the wire are the zip itself')
  t.equal(raw.headers['content-length'], String(ZIP_C.length))

  const notDownload = await api.get(`/v1/functions/${fn.id}?download=false`)
  t.match(notDownload.headers.get('content-type'), /^application\/json/, 'download=false shows the function')
})

t.test('update metadata only, with a JSON body', async (t) => {
  const { api, clock } = await setup(t)
  const fn = await api.createFunction(ZIP_A, { name: 'before', description: 'old' })
  clock.now = new Date('2030-05-06T08:00:00Z')
  const reply = await api.put(`/v1/functions/${fn.id}`, {
    json: { name: 'after', description: 'new', entry: 'x.y', cpu: 200, memory_size: 67108864, timeout: 30 },
  })
  t.equal(reply.status, 200)
  const updated = reply.json<FunctionJson>()
  checkFunction(t, updated)
  t.match(updated, { name: 'after', description: 'new', entry: 'x.y', cpu: 200, memory_size: 67108864, timeout: 30 })
  t.equal(updated.created_at, fn.created_at, 'created_at stays')
  t.equal(updated.updated_at, '2030-05-06 08:00:00', 'updated_at is set when something changed')
  t.equal(updated.code, fn.code, 'the package stays')
  t.equal(updated.commit, fn.commit, 'no new commit for metadata')
  t.same((await api.get(`/v1/functions/${fn.id}`)).json(), updated, 'show agrees')
})

t.test('update metadata only, with an urlencoded form as the openstack client sends it', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  const reply = await api.put(`/v1/functions/${fn.id}`, {
    urlencoded: { description: 'via form', cpu: '250', memory_size: '40000000', timeout: '12' },
  })
  t.equal(reply.status, 200)
  t.match(
    reply.json(),
    { description: 'via form', cpu: 250, memory_size: 40000000, timeout: 12 },
    'numbers sent as strings become numbers',
  )
  const multipartReply = await api.put(`/v1/functions/${fn.id}`, {
    form: multipart({ name: 'via multipart', timeout: '9' }),
  })
  t.equal(multipartReply.status, 200)
  t.match(
    multipartReply.json(),
    { name: 'via multipart', timeout: 9, description: 'via form', code: fn.code },
    'multipart without a package: metadata only',
  )
})

t.test('null in a JSON update leaves a field as it is', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A, { name: 'keep', description: 'kept' })
  const reply = await api.put(`/v1/functions/${fn.id}`, {
    json: { name: null, description: null, cpu: null, memory_size: null, timeout: null, entry: null },
  })
  t.equal(reply.status, 200)
  t.same(reply.json(), fn, 'nothing changed, updated_at still null')
  const empty = await api.put(`/v1/functions/${fn.id}`, { json: {} })
  t.same(empty.json(), fn, 'an empty update changes nothing')
  const same = await api.put(`/v1/functions/${fn.id}`, { json: { name: 'keep', cpu: 100 } })
  t.equal(same.json<FunctionJson>().updated_at, null, 'values equal to the current ones are no change')
})

t.test('update the package only, the way the openstack client does', async (t) => {
  const { api, clock } = await setup(t)
  const fn = await api.createFunction(ZIP_A, { name: 'pkg' })
  clock.now = new Date('2030-05-07T00:00:01Z')
  const updated = await api.uploadPackage(fn.id, ZIP_B)
  t.equal(codeMd5(updated), md5(ZIP_B), 'code.md5sum is the new package')
  t.not(updated.commit, fn.commit, 'a new commit')
  t.equal(updated.updated_at, '2030-05-07 00:00:01')
  t.match(updated, { name: 'pkg', cpu: fn.cpu, entry: fn.entry }, 'metadata stays')
  t.same((await api.get(`/v1/functions/${fn.id}?download=true`)).bytes, ZIP_B, 'the download is the new package')
})

t.test('update package and metadata at once, with a correct md5sum in code', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  const form = multipart(
    { name: 'both', timeout: '60', code: JSON.stringify({ source: 'package', md5sum: md5(ZIP_C) }) },
    ZIP_C,
  )
  const reply = await api.put(`/v1/functions/${fn.id}`, { form })
  t.equal(reply.status, 200)
  t.match(reply.json(), { name: 'both', timeout: 60 })
  t.equal(codeMd5(reply.json<FunctionJson>()), md5(ZIP_C))
  const viaFields = await api.put(`/v1/functions/${fn.id}`, {
    form: multipart({ source: 'package', md5sum: md5(ZIP_B) }, ZIP_B),
  })
  t.equal(viaFields.status, 200, 'md5sum as a form field beside source')
  t.equal(codeMd5(viaFields.json<FunctionJson>()), md5(ZIP_B))
})

t.test('a package with the very same bytes changes nothing', async (t) => {
  const { api, clock } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  clock.now = new Date('2030-06-01T00:00:00Z')
  const again = await api.uploadPackage(fn.id, ZIP_A)
  t.same(again, fn, 'same commit, same md5, updated_at still null')
})

t.test('an md5sum equal to the current one is refused', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  const current = md5(ZIP_A)
  const message = 'The function code checksum is not changed.'
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, { json: { code: { source: 'package', md5sum: current } } }),
    400,
    message,
    'JSON code object',
  )
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, { urlencoded: { source: 'package', md5sum: current } }),
    400,
    message,
    'form fields',
  )
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, {
      form: multipart({ code: JSON.stringify({ md5sum: current.toUpperCase() }) }, ZIP_A),
    }),
    400,
    message,
    'multipart with the same package',
  )
  t.same((await api.get(`/v1/functions/${fn.id}`)).json(), fn, 'and the function is untouched')
})

t.test('update errors', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, {
      form: multipart({ code: JSON.stringify({ md5sum: md5(ZIP_C) }) }, ZIP_B),
    }),
    400,
    /md5sum mismatch/i,
    'an md5sum that is not the package',
  )
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, {
      form: multipart({ code: JSON.stringify({ md5sum: md5(ZIP_A) }) }, ZIP_B),
    }),
    400,
    'The function code checksum is not changed.',
    'the current md5sum beside another package',
  )
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, { json: { code: { md5sum: md5(ZIP_B) } } }),
    400,
    /needs a new package/,
    'a new md5sum with no package',
  )
  expectFault(
    t,
    await api.put('/v1/functions/4a9c2d8e-1111-4222-8333-944455556666', { json: { name: 'x' } }),
    404,
    'Function 4a9c2d8e-1111-4222-8333-944455556666 not found.',
    'unknown id',
  )
  expectFault(t, await api.put('/v1/functions/nope', { json: { name: 'x' } }), 400, /not a UUID/, 'malformed id')
  t.same((await api.get(`/v1/functions/${fn.id}`)).json(), fn, 'the function is untouched')
})

t.test('detach answers 202 with the exact text, and is idempotent', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  await api.get(`/v1/functions/${fn.id}?download=true`)
  for (const round of [1, 2]) {
    const reply = await api.post(`/v1/functions/${fn.id}/detach`)
    t.equal(reply.status, 202, `round ${round}`)
    t.equal(reply.text, `Request to detach function ${fn.id} has been accepted.`)
  }
  t.same(
    (await api.get(`/v1/functions/${fn.id}?download=true`)).bytes,
    ZIP_A,
    'a download after a detach reads git again, byte-exact',
  )
  expectFault(
    t,
    await api.post('/v1/functions/4a9c2d8e-1111-4222-8333-944455556666/detach'),
    404,
    undefined,
    'unknown id',
  )
  expectFault(t, await api.post('/v1/functions/42/detach'), 400, undefined, 'malformed id')
})

t.test('delete answers 204 and takes the function, its versions and its repository', async (t) => {
  const { api, dataDir } = await setup(t)
  const keep = await api.createFunction(ZIP_B, { name: 'keep' })
  const fn = await api.createFunction(ZIP_A, { name: 'gone' })
  await api.createVersion(fn.id, 'v1')
  t.ok(existsSync(gitdirOf(dataDir, fn.id)), 'the repository is there before')
  const reply = await api.delete(`/v1/functions/${fn.id}`)
  t.equal(reply.status, 204)
  t.equal(reply.text, '', 'no body')
  expectFault(t, await api.get(`/v1/functions/${fn.id}`), 404, `Function ${fn.id} not found.`, 'show after delete')
  expectFault(t, await api.get(`/v1/functions/${fn.id}?download=true`), 404, undefined, 'download after delete')
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions`), 404, undefined, 'versions after delete')
  expectFault(t, await api.delete(`/v1/functions/${fn.id}`), 404, undefined, 'a second delete')
  t.same(
    (await api.get('/v1/functions')).json<{ functions: FunctionJson[] }>().functions.map((f) => f.id),
    [keep.id],
    'the other function stays',
  )
  t.notOk(existsSync(gitdirOf(dataDir, fn.id)), 'the repository is gone')
  t.ok(existsSync(gitdirOf(dataDir, keep.id)))
})

t.test('latest_version follows the highest existing version', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(ZIP_A)
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, ZIP_B)
  await api.createVersion(fn.id)
  t.equal((await api.get(`/v1/functions/${fn.id}`)).json<FunctionJson>().latest_version, 2)
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204)
  t.equal(
    (await api.get(`/v1/functions/${fn.id}`)).json<FunctionJson>().latest_version,
    1,
    'deleting the newest lowers it',
  )
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/1`)).status, 204)
  t.equal((await api.get(`/v1/functions/${fn.id}`)).json<FunctionJson>().latest_version, 0, 'none left: 0')
})
