import t from 'tap'

import { Api, type CallOptions, expectFault, md5, type Tap } from '../helpers/api.js'
import { type DataDirState, gitdirOf, inspectDataDir } from '../helpers/data-dir.js'
import { git } from '../helpers/git.js'
import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'
import { badCrc, badDeflate, withComment } from '../helpers/zip-variants.js'

const GOOD = makeZip([{ name: 'main.py', content: 'def main():\n    return "fine"\n'.repeat(10) }])
const UNKNOWN = '4a9c2d8e-1111-4222-8333-944455556666'

const withPackage = (zip: Buffer, fields: Record<string, string> = {}) => ({ form: functionForm(zip, fields) })
const hostile = (name: string) =>
  makeZip([
    { name: 'main.py', content: 'ok' },
    { name, content: 'evil' },
  ])

async function setup(
  t: Tap,
  limits: { maxPackageBytes?: number; maxPackageEntries?: number; maxUnpackedBytes?: number } = {},
) {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir, limits })
  t.teardown(() => server.close())
  return { api: new Api(server.url, t), dataDir }
}

const EMPTY: DataDirState = { functions: 0, packages: 0, versions: 0, aliases: 0, operations: 0, repos: [], tmp: [] }

/** Asserts that a refused create left nothing: no row, no repository, nothing in tmp. */
async function nothingLeft(t: Tap, api: Api, dataDir: string, what: string) {
  t.same((await api.get('/v1/functions')).json(), { functions: [] }, `${what}: no function listed`)
  t.same(await inspectDataDir(dataDir), EMPTY, `${what}: nothing in SQLite, repos/ or tmp/`)
}

/** Each bad create: its status, its faultstring (pattern), what it sends. */
const BAD_CREATES: Array<[string, number, RegExp, CallOptions]> = [
  [
    'malformed JSON',
    400,
    /^The request body is not valid JSON/,
    { raw: { body: '{"name": "x",', contentType: 'application/json' } },
  ],
  ['a JSON array', 400, /^The request body must be a JSON object, not a list\.$/, { json: [1, 2] }],
  ['a JSON string', 400, /^The request body must be a JSON object, not a string\.$/, { json: 'package' }],
  [
    'no package (JSON)',
    400,
    /^A code package .* is required\.$/,
    { json: { name: 'x', code: '{"source": "package"}' } },
  ],
  [
    'no package (multipart)',
    400,
    /^A code package .* is required\.$/,
    { form: functionForm(undefined, { name: 'x' }) },
  ],
  ['no package (form)', 400, /is required/, { urlencoded: { name: 'x' } }],
  ['no body at all', 400, /is required/, {}],
  ['a package that is not a zip', 400, /not a zip archive/, withPackage(Buffer.from('#!/bin/sh\necho not a zip\n'))],
  ['an empty package', 400, /^The package is empty \(0 bytes\)\.$/, withPackage(Buffer.alloc(0))],
  ['a zip with ../x', 400, /'\.\.\/x' is refused|unsafe/, withPackage(hostile('../x'))],
  ['a zip with a/../../x', 400, /refused|unsafe/, withPackage(hostile('a/../../x'))],
  ['a zip with /abs', 400, /refused|unsafe/, withPackage(hostile('/abs'))],
  ['a zip with .git/config', 400, /"\.git"/, withPackage(hostile('.git/config'))],
  ['a zip with sub/.git/x', 400, /"\.git"/, withPackage(hostile('sub/.git/x'))],
  ['a zip with .GIT/x', 400, /"\.git"/, withPackage(hostile('.GIT/x'))],
  ['a zip with .git./x', 400, /"\.git"/, withPackage(hostile('.git./x'))],
  [
    'a zip with a name twice',
    400,
    /'main\.py' twice/,
    withPackage(
      makeZip([
        { name: 'main.py', content: '1' },
        { name: 'main.py', content: '2' },
      ]),
    ),
  ],
  [
    'a truncated zip',
    400,
    /^The package is not a zip archive: .*[^.]\.$/,
    withPackage(GOOD.subarray(0, GOOD.length - 30)),
  ],
  ['a zip with a bad CRC', 400, /broken zip archive/, withPackage(badCrc(GOOD))],
  ['a zip whose data does not inflate', 400, /broken zip archive/, withPackage(badDeflate(GOOD))],
  [
    "an md5sum that is not the package's",
    400,
    /md5sum mismatch/i,
    withPackage(GOOD, { code: JSON.stringify({ source: 'package', md5sum: md5(Buffer.from('other')) }) }),
  ],
  [
    'an md5sum that is not an md5',
    400,
    /Invalid md5sum/,
    withPackage(GOOD, { code: JSON.stringify({ source: 'package', md5sum: 'xyz' }) }),
  ],
  ['code that is not JSON', 400, /Invalid code/, withPackage(GOOD, { code: 'package' })],
  [
    'code source swift',
    400,
    /Code source 'swift' is not supported/,
    {
      form: functionForm(undefined, {
        code: JSON.stringify({ source: 'swift', swift: { container: 'c', object: 'o' } }),
      }),
    },
  ],
  [
    'code source image',
    400,
    /Code source 'image' is not supported/,
    { form: functionForm(undefined, { code: JSON.stringify({ source: 'image', image: 'busybox' }) }) },
  ],
  [
    'code source swift, with a package',
    400,
    /'swift' is not supported/,
    withPackage(GOOD, { code: JSON.stringify({ source: 'swift' }) }),
  ],
  [
    'a description of 256 characters',
    400,
    /^Invalid description: must be at most 255 characters\.$/,
    withPackage(GOOD, { description: 'd'.repeat(256) }),
  ],
  ['a name of 256 characters', 400, /^Invalid name/, withPackage(GOOD, { name: 'n'.repeat(256) })],
  ['an empty entry', 400, /^Invalid entry/, withPackage(GOOD, { entry: '' })],
  ['cpu below the range', 400, /^Invalid cpu: must be between 100 and 300\.$/, withPackage(GOOD, { cpu: '99' })],
  ['cpu above the range', 400, /^Invalid cpu/, withPackage(GOOD, { cpu: '301' })],
  ['cpu not a number', 400, /^Invalid cpu: must be a whole number\.$/, withPackage(GOOD, { cpu: 'fast' })],
  ['cpu not whole', 400, /^Invalid cpu/, withPackage(GOOD, { cpu: '150.5' })],
  ['memory_size below the range', 400, /^Invalid memory_size/, withPackage(GOOD, { memory_size: '1024' })],
  ['memory_size above the range', 400, /^Invalid memory_size/, withPackage(GOOD, { memory_size: '134217729' })],
  ['memory_size not a number', 400, /^Invalid memory_size/, withPackage(GOOD, { memory_size: '32M' })],
  ['timeout of 0', 400, /^Invalid timeout: must be between 1 and 300\.$/, withPackage(GOOD, { timeout: '0' })],
  ['timeout above the range', 400, /^Invalid timeout/, withPackage(GOOD, { timeout: '301' })],
  ['timeout not a number', 400, /^Invalid timeout/, withPackage(GOOD, { timeout: 'soon' })],
  ['a number where text goes (JSON)', 400, /^Invalid name: must be a string/, { json: { name: 5 } }],
  ['a text/plain body', 400, /./, { raw: { body: 'name=x', contentType: 'text/plain' } }],
  ['an XML body', 400, /./, { raw: { body: '<function/>', contentType: 'application/xml' } }],
  ['a raw zip body', 400, /./, { raw: { body: GOOD, contentType: 'application/zip' } }],
  ['multipart with no boundary', 400, /./, { raw: { body: 'x', contentType: 'multipart/form-data' } }],
  [
    'multipart that is not multipart',
    400,
    /./,
    { raw: { body: 'garbage', contentType: 'multipart/form-data; boundary=XyZ' } },
  ],
]

t.test('every bad create is a 4xx with a faultstring, and leaves nothing behind', async (t) => {
  const { api, dataDir } = await setup(t)
  for (const [what, status, faultstring, request] of BAD_CREATES) {
    expectFault(t, await api.post('/v1/functions', request), status, faultstring, what)
    await nothingLeft(t, api, dataDir, what)
  }
})

t.test('a multipart body cut off in the middle of the package is refused', async (t) => {
  const { api, dataDir } = await setup(t)
  const encoded = new Response(functionForm(Buffer.concat([GOOD, Buffer.alloc(4096, 7)])))
  const contentType = encoded.headers.get('content-type')!
  const body = Buffer.from(await encoded.arrayBuffer())
  const cut = body.subarray(0, body.length - 2048)
  expectFault(
    t,
    await api.post('/v1/functions', { raw: { body: cut, contentType } }),
    400,
    /multipart body is malformed/,
    'cut off',
  )
  await nothingLeft(t, api, dataDir, 'cut off')
})

t.test('a file part under another name, or two packages, is refused', async (t) => {
  const { api, dataDir } = await setup(t)
  const other = functionForm(undefined)
  other.append('code_file', new Blob([new Uint8Array(GOOD)]), 'p.zip')
  expectFault(
    t,
    await api.post('/v1/functions', { form: other }),
    400,
    /Unexpected file field 'code_file'/,
    'another field name',
  )
  const two = functionForm(GOOD)
  two.append('package', new Blob([new Uint8Array(GOOD)]), 'again.zip')
  expectFault(t, await api.post('/v1/functions', { form: two }), 400, undefined, 'two packages')
  await nothingLeft(t, api, dataDir, 'file parts')
})

t.test('numbers as strings in a form are accepted; blanks are "not given"', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(GOOD, { cpu: '150', memory_size: '33554432', timeout: '' })
  t.match(fn, { cpu: 150, memory_size: 33554432, timeout: 5 })
})

t.test('an oversize package is 413, at the multipart limit and beyond', async (t) => {
  const limit = 2048
  const { api, dataDir } = await setup(t, { maxPackageBytes: limit })
  const atLimit = withComment(GOOD, 'x'.repeat(limit - GOOD.length))
  t.equal(atLimit.length, limit)
  const over = withComment(GOOD, 'x'.repeat(limit + 1 - GOOD.length))
  expectFault(
    t,
    await api.post('/v1/functions', withPackage(over)),
    413,
    `The package is larger than the limit of ${limit} bytes.`,
    'one byte over',
  )
  expectFault(
    t,
    await api.post('/v1/functions', withPackage(Buffer.concat([over, Buffer.alloc(1024 * 1024)]))),
    413,
    undefined,
    'far over',
  )
  await nothingLeft(t, api, dataDir, 'oversize')
  const fn = await api.createFunction(atLimit)
  t.ok(fn.id, 'a package of exactly the limit is taken')
  const update = new FormData()
  update.append('package', new Blob([new Uint8Array(over)]), 'p.zip')
  expectFault(t, await api.put(`/v1/functions/${fn.id}`, { form: update }), 413, undefined, 'an oversize update')
})

t.test('a JSON body over the body limit is 413', async (t) => {
  const { api, dataDir } = await setup(t)
  expectFault(
    t,
    await api.post('/v1/functions', { json: { name: 'x', description: 'd'.repeat(2 * 1024 * 1024) } }),
    413,
    undefined,
    'a 2 MiB JSON body',
  )
  await nothingLeft(t, api, dataDir, 'big JSON')
})

t.test('limits on entries and unpacked size', async (t) => {
  const { api, dataDir } = await setup(t, { maxPackageEntries: 3, maxUnpackedBytes: 10_000 })
  const many = makeZip(['a', 'b', 'c', 'd'].map((name) => ({ name, content: name })))
  expectFault(
    t,
    await api.post('/v1/functions', withPackage(many)),
    400,
    'The package holds more than 3 entries.',
    'too many entries',
  )
  const bomb = makeZip([{ name: 'zeros', content: Buffer.alloc(10_001) }])
  expectFault(
    t,
    await api.post('/v1/functions', withPackage(bomb)),
    413,
    'The package unpacks to more than 10000 bytes.',
    'unpacks too large',
  )
  await nothingLeft(t, api, dataDir, 'limits')
})

t.test('a bad package in an update leaves the function as it was', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(GOOD)
  const before = await inspectDataDir(dataDir)
  const bad: Array<[string, number, Buffer, Record<string, string>]> = [
    ['not a zip', 400, Buffer.from('nope'), {}],
    ['../x', 400, hostile('../x'), {}],
    ['.git/config', 400, hostile('.git/config'), {}],
    ['bad CRC', 400, badCrc(GOOD), {}],
    ['md5 mismatch', 400, makeZip([{ name: 'new.py', content: 'x' }]), { md5sum: md5(Buffer.from('not it')) }],
    ['a description too long', 400, makeZip([{ name: 'new.py', content: 'x' }]), { description: 'd'.repeat(256) }],
    ['cpu out of range', 400, makeZip([{ name: 'new.py', content: 'x' }]), { cpu: '5000' }],
  ]
  for (const [what, status, zip, fields] of bad) {
    const form = new FormData()
    form.append('source', 'package')
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    form.append('package', new Blob([new Uint8Array(zip)]), 'p.zip')
    expectFault(t, await api.put(`/v1/functions/${fn.id}`, { form }), status, undefined, what)
  }
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, { raw: { body: '{oops', contentType: 'application/json' } }),
    400,
    /not valid JSON/,
    'malformed JSON',
  )
  expectFault(
    t,
    await api.put(`/v1/functions/${fn.id}`, { raw: { body: 'name=x', contentType: 'text/plain' } }),
    400,
    undefined,
    'text/plain',
  )
  t.same((await api.get(`/v1/functions/${fn.id}`)).json(), fn, 'the function as it was')
  t.same(await inspectDataDir(dataDir), before, 'no new row, nothing in tmp/')
  t.equal(await git(gitdirOf(dataDir, fn.id), 'rev-list', '--count', 'main'), '1', 'no new commit on main')
  t.same((await api.get(`/v1/functions/${fn.id}?download=true`)).bytes, GOOD, 'the package as it was')
})

t.test('a malformed id is 400, an unknown one 404, on every route', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(GOOD)
  await api.createVersion(fn.id)
  const routes: Array<[string, (id: string) => string, CallOptions?]> = [
    ['GET', (id) => `/v1/functions/${id}`],
    ['GET', (id) => `/v1/functions/${id}?download=true`],
    ['PUT', (id) => `/v1/functions/${id}`, { json: { name: 'x' } }],
    ['DELETE', (id) => `/v1/functions/${id}`],
    ['POST', (id) => `/v1/functions/${id}/detach`],
    ['GET', (id) => `/v1/functions/${id}/versions`],
    ['POST', (id) => `/v1/functions/${id}/versions`],
    ['GET', (id) => `/v1/functions/${id}/versions/1`],
    ['GET', (id) => `/v1/functions/${id}/versions/1?download=true`],
    ['POST', (id) => `/v1/functions/${id}/versions/1/detach`],
    ['DELETE', (id) => `/v1/functions/${id}/versions/1`],
  ]
  for (const [method, path, options] of routes) {
    for (const malformed of ['abc', '1234', `${fn.id}x`, fn.id.replace(/-/g, '')]) {
      expectFault(
        t,
        await api.call(method, path(malformed), options),
        400,
        /is not a UUID/,
        `${method} ${path(malformed)}`,
      )
    }
    expectFault(
      t,
      await api.call(method, path(UNKNOWN), options),
      404,
      `Function ${UNKNOWN} not found.`,
      `${method} ${path(UNKNOWN)}`,
    )
  }
  t.equal((await api.get(`/v1/functions/${fn.id}/versions/1`)).status, 200, 'the real function was never touched')
})

t.test('unknown routes and unsupported content types are JSON faults, never 415', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(GOOD)
  expectFault(t, await api.get('/v1/nothing'), 404, /No such resource/, 'an unknown route')
  expectFault(
    t,
    await api.get('/v1/aliases/%E0%A4%A'),
    400,
    /not a valid url component/,
    'a broken %-escape in the URL',
  )
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/%ZZ`),
    400,
    undefined,
    'a broken %-escape in a version number',
  )
  const types = ['text/plain', 'application/xml', 'application/octet-stream', 'image/png']
  for (const type of types) {
    expectFault(
      t,
      await api.put(`/v1/functions/${fn.id}`, { raw: { body: 'x', contentType: type } }),
      400,
      undefined,
      `function update as ${type}`,
    )
    expectFault(
      t,
      await api.post(`/v1/functions/${fn.id}/versions`, { raw: { body: 'x', contentType: type } }),
      400,
      undefined,
      `version create as ${type}`,
    )
    expectFault(
      t,
      await api.post('/v1/aliases', { raw: { body: 'x', contentType: type } }),
      400,
      undefined,
      `alias create as ${type}`,
    )
  }
  t.same(await api.versionNumbers(fn.id), [], 'none of it made a version')
})

t.test('malformed JSON on every JSON route', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(GOOD)
  await api.createAlias({ name: 'a', function_id: fn.id })
  const broken = { raw: { body: '{"description": "x"', contentType: 'application/json' } }
  for (const [method, path] of [
    ['POST', `/v1/functions/${fn.id}/versions`],
    ['PUT', `/v1/functions/${fn.id}`],
    ['POST', '/v1/aliases'],
    ['PUT', '/v1/aliases/a'],
  ] as const) {
    expectFault(
      t,
      await api.call(method, path, broken),
      400,
      /^The request body is not valid JSON/,
      `${method} ${path}`,
    )
  }
})

t.test('bad version creates leave no row, no tag and no used number', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(GOOD)
  const bad: Array<[string, CallOptions]> = [
    ['a description of 256 characters', { json: { description: 'd'.repeat(256) } }],
    ['a description that is a number', { json: { description: 7 } }],
    ['malformed JSON', { raw: { body: '{"description": ', contentType: 'application/json' } }],
    ['a JSON array', { json: ['x'] }],
    ['text/plain', { raw: { body: 'x', contentType: 'text/plain' } }],
  ]
  for (const [what, request] of bad)
    expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`, request), 400, undefined, what)
  t.equal((await inspectDataDir(dataDir)).versions, 0, 'no version row, not even a tombstone')
  t.equal(await git(gitdirOf(dataDir, fn.id), 'tag', '-l'), '', 'no tag')
  t.equal((await api.createVersion(fn.id)).version_number, 1, 'and no number used')
})
