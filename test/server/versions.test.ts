import t from 'tap'

import { readServeConfig } from '../../server/config.js'
import {
  Api,
  codeMd5,
  expectFault,
  type FunctionJson,
  md5,
  rawGet,
  type Tap,
  type VersionJson,
} from '../helpers/api.js'
import { versionRows } from '../helpers/data-dir.js'
import { startServer } from '../helpers/server.js'
import { checkVersion } from '../helpers/shapes.js'
import { makeZip } from '../helpers/zip.js'
import { restamp, withComment } from '../helpers/zip-variants.js'

const pkg = (n: number) =>
  makeZip([
    { name: 'main.py', content: `def main():\n    return ${n}\n` },
    { name: 'README', content: 'same in every package\n' },
  ])
const UNKNOWN = '4a9c2d8e-1111-4222-8333-944455556666'

async function setup(t: Tap, limits: { maxVersions?: number } = {}) {
  const clock = { now: new Date('2031-01-02T03:04:05Z') }
  const dataDir = t.testdir()
  const server = await startServer({ dataDir, limits, now: () => clock.now })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  return { api, clock, dataDir, server }
}

t.test('create answers 201 with every Qinling field; numbers start at 1', async (t) => {
  const { api, clock } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  clock.now = new Date('2031-01-02T03:05:00.999Z')
  const reply = await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: 'first cut' } })
  t.equal(reply.status, 201)
  const v = reply.json<VersionJson>()
  checkVersion(t, v)
  t.match(v, {
    description: 'first cut',
    function_id: fn.id,
    count: 0,
    version_number: 1,
    project_id: 'default',
    status: 'available',
    created_at: '2031-01-02 03:05:00',
    updated_at: null,
  })
  t.equal(v.md5sum, md5(pkg(1)), "extra: the md5 of the version's package")
  t.equal((await api.get(`/v1/functions/${fn.id}`)).json<FunctionJson>().latest_version, 1)
})

t.test('the description is optional, however the client leaves it out', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  const bodies = [
    {},
    { raw: { body: '' } },
    { raw: { body: '', contentType: 'application/json' } },
    { json: { description: null } },
  ]
  let n = 1
  for (const body of bodies) {
    const reply = await api.post(`/v1/functions/${fn.id}/versions`, body)
    t.equal(reply.status, 201, JSON.stringify(body))
    t.equal(reply.json<VersionJson>().description, '', 'no description is the empty one')
    await api.uploadPackage(fn.id, pkg(++n))
  }
  const long = await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: 'd'.repeat(255) } })
  t.equal(long.status, 201, '255 characters are allowed')
})

t.test('list answers the versions in ascending order, wrapped in an object', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  t.same((await api.get(`/v1/functions/${fn.id}/versions`)).json(), { function_versions: [] }, 'none yet')
  for (let i = 1; i <= 3; i++) {
    await api.createVersion(fn.id, `v${i}`)
    await api.uploadPackage(fn.id, pkg(i + 1))
  }
  const reply = await api.get(`/v1/functions/${fn.id}/versions`)
  t.equal(reply.status, 200)
  const list = reply.json<{ function_versions: VersionJson[] }>()
  t.same(Object.keys(list), ['function_versions'])
  t.same(
    list.function_versions.map((v) => [v.version_number, v.description]),
    [
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v3'],
    ],
  )
  list.function_versions.forEach((v, i) => checkVersion(t, v, `list item ${i}`))
  t.same(
    list.function_versions[1],
    (await api.get(`/v1/functions/${fn.id}/versions/2`)).json(),
    'a listed version is the version as shown',
  )
})

t.test('show, and its errors', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  const v1 = await api.createVersion(fn.id, 'one')
  const shown = await api.get(`/v1/functions/${fn.id}/versions/1`)
  t.equal(shown.status, 200)
  t.same(shown.json(), v1)
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/2`),
    404,
    `Version 2 of function ${fn.id} not found.`,
    'unknown version',
  )
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/0`), 404, undefined, 'version 0 is not a version row')
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/one`),
    400,
    "Invalid version number 'one': must be a whole number.",
    'not a number',
  )
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/-1`), 400, undefined, 'negative')
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/${'9'.repeat(12)}`),
    400,
    "Invalid version number '999999999999': too large (at most 999999999).",
    'too many digits',
  )
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/1.0`), 400, undefined, 'not whole')
  expectFault(
    t,
    await api.get(`/v1/functions/${UNKNOWN}/versions/1`),
    404,
    `Function ${UNKNOWN} not found.`,
    'unknown function',
  )
  expectFault(t, await api.get('/v1/functions/xyz/versions/1'), 400, undefined, 'malformed function id')
  expectFault(t, await api.get(`/v1/functions/${UNKNOWN}/versions`), 404, undefined, 'list of an unknown function')
  expectFault(t, await api.post(`/v1/functions/${UNKNOWN}/versions`), 404, undefined, 'create on an unknown function')
  expectFault(t, await api.post('/v1/functions/xyz/versions'), 400, undefined, 'create on a malformed id')
})

t.test('unchanged is judged by the files, not by the bytes of the zip', async (t) => {
  const { api } = await setup(t)
  const zip = pkg(1)
  const fn = await api.createFunction(zip)
  await api.createVersion(fn.id, 'one')
  const refused = 'Function package not changed since the latest version 1.'
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, refused, 'nothing uploaded since')

  const rezipped = restamp(zip, new Date('2035-07-08T09:10:12Z'))
  t.not(md5(rezipped), md5(zip), 'a re-zip of the same files has other bytes')
  const updated = await api.uploadPackage(fn.id, rezipped)
  t.equal(codeMd5(updated), md5(rezipped), 'the upload is taken: code.md5sum is the new zip')
  t.not(updated.commit, fn.commit, 'a new commit')
  t.equal(updated.tree, fn.tree, 'with the same tree')
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, refused, 'a re-zip is still unchanged')

  await api.uploadPackage(fn.id, withComment(zip, 'zipped again'))
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, refused, 'so is a zip with a comment')

  await api.uploadPackage(fn.id, pkg(2))
  t.equal((await api.createVersion(fn.id)).version_number, 2, 'refusals used up no number')
})

t.test('going back to older files is a change since the newest version', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(2))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(1))
  t.equal((await api.createVersion(fn.id)).version_number, 3, 'only the newest version counts')
})

t.test('the newest existing version is what "unchanged" compares with', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(2))
  await api.createVersion(fn.id)
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204)
  const v3 = await api.createVersion(fn.id, 'same files as the deleted v2')
  t.equal(v3.version_number, 3, "v2 is gone, so the code differs from v1: allowed, and v2's number is not reused")
  expectFault(
    t,
    await api.post(`/v1/functions/${fn.id}/versions`),
    403,
    'Function package not changed since the latest version 3.',
  )
})

t.test('numbers are never reused: not after deleting the newest, not after a restart', async (t) => {
  const dataDir = t.testdir()
  let server = await startServer({ dataDir })
  let api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(1))
  for (let i = 1; i <= 3; i++) {
    t.equal((await api.createVersion(fn.id)).version_number, i)
    await api.uploadPackage(fn.id, pkg(i + 1))
  }
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/3`)).status, 204, 'delete v3 of 3')
  t.same(await api.versionNumbers(fn.id), [1, 2])
  await server.close()

  server = await startServer({ dataDir })
  t.teardown(() => server.close())
  api = new Api(server.url, t)
  t.same(await api.versionNumbers(fn.id), [1, 2], 'the same versions after a restart')
  t.equal((await api.createVersion(fn.id)).version_number, 4, 'the next is v4, after a restart too')
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/3`), 404, undefined, 'v3 stays deleted')
  t.same(
    versionRows(dataDir, fn.id).map((r) => [r.version_number, r.state]),
    [
      [1, 'live'],
      [2, 'live'],
      [3, 'deleted'],
      [4, 'live'],
    ],
    'SQLite keeps v3 as a tombstone',
  )
})

t.test('--max-versions: 403 at the maximum, using no number; a delete frees a place', async (t) => {
  const { limits } = readServeConfig(['--max-versions', '2'], {})
  t.equal(limits.maxVersions, 2, 'the flag sets the engine limit')
  const { api } = await setup(t, limits)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(2))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(3))
  expectFault(
    t,
    await api.post(`/v1/functions/${fn.id}/versions`),
    403,
    'Can not exceed maximum number(2) of versions.',
    'at the maximum',
  )
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, undefined, 'and again')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/1`)).status, 204)
  t.equal((await api.createVersion(fn.id)).version_number, 3, 'the refusals used no number: next is 3')
  t.same(await api.versionNumbers(fn.id), [2, 3])
})

t.test('download of each version is its own package, byte-exact, never gzipped', async (t) => {
  const { api } = await setup(t)
  const zips = [
    pkg(1),
    pkg(2),
    makeZip([
      { name: 'other.py', content: 'x' },
      { name: 'run.sh', content: '#!/bin/sh\n', mode: 0o100755 },
    ]),
  ]
  const fn = await api.createFunction(zips[0]!)
  const versions: VersionJson[] = [await api.createVersion(fn.id)]
  for (const zip of zips.slice(1)) {
    await api.uploadPackage(fn.id, zip)
    versions.push(await api.createVersion(fn.id))
  }
  for (const [i, zip] of zips.entries()) {
    const n = i + 1
    const reply = await api.get(`/v1/functions/${fn.id}/versions/${n}?download=true`)
    t.equal(reply.status, 200, `v${n}`)
    t.equal(reply.headers.get('content-type'), 'application/zip')
    t.match(reply.headers.get('content-disposition'), /^attachment\b/)
    t.equal(md5(reply.bytes), md5(zip), `v${n}: md5 of the download is the md5 of its upload`)
    t.equal(md5(reply.bytes), versions[i]!.md5sum, `v${n}: and the version's md5sum`)
    const raw = await rawGet(`${api.url}/v1/functions/${fn.id}/versions/${n}?download=true`, {
      'accept-encoding': 'gzip',
    })
    t.equal(raw.headers['content-encoding'], undefined, `v${n}: not gzip-encoded`)
    t.same(raw.bytes, zip, `v${n}: the bytes on the wire`)
  }
  const current = await api.get(`/v1/functions/${fn.id}?download=true`)
  t.same(current.bytes, zips[2], 'the function download is the current package')
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/9?download=true`),
    404,
    undefined,
    'download of an unknown version',
  )
})

t.test('detach: 202 with the exact text, status detached, a download attaches again', async (t) => {
  const { api, clock } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  for (const round of [1, 2]) {
    const reply = await api.post(`/v1/functions/${fn.id}/versions/1/detach`)
    t.equal(reply.status, 202, `detach round ${round}`)
    t.equal(reply.text, `Request to detach function ${fn.id}(version 1) has been accepted.`)
  }
  const detached = (await api.get(`/v1/functions/${fn.id}/versions/1`)).json<VersionJson>()
  t.equal(detached.status, 'detached')
  t.equal(detached.updated_at, '2031-01-02 03:04:05', 'a status change is a change')
  t.same(
    (await api.get(`/v1/functions/${fn.id}/versions`))
      .json<{ function_versions: VersionJson[] }>()
      .function_versions.map((v) => v.status),
    ['detached'],
    'still listed',
  )

  clock.now = new Date('2031-01-02T04:00:00Z')
  const download = await api.get(`/v1/functions/${fn.id}/versions/1?download=true`)
  t.same(download.bytes, pkg(1), 'a detached version downloads byte-exact')
  const attached = (await api.get(`/v1/functions/${fn.id}/versions/1`)).json<VersionJson>()
  t.equal(attached.status, 'available', 'and is attached again')
  t.equal(attached.updated_at, '2031-01-02 04:00:00')

  const zero = await api.post(`/v1/functions/${fn.id}/versions/0/detach`)
  t.equal(zero.status, 202, 'version 0 is the function itself')
  t.equal(zero.text, `Request to detach function ${fn.id}(version 0) has been accepted.`)
  t.equal(
    (await api.get(`/v1/functions/${fn.id}/versions/1`)).json<VersionJson>().status,
    'available',
    'detaching version 0 leaves versions alone',
  )

  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/5/detach`), 404, undefined, 'unknown version')
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/x/detach`), 400, undefined, 'not a number')
  expectFault(
    t,
    await api.post(`/v1/functions/${UNKNOWN}/versions/0/detach`),
    404,
    undefined,
    'version 0 of an unknown function',
  )
})

t.test('delete answers 204; the version goes, its number stays used', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  await api.uploadPackage(fn.id, pkg(2))
  await api.createVersion(fn.id)
  const reply = await api.delete(`/v1/functions/${fn.id}/versions/1`)
  t.equal(reply.status, 204)
  t.equal(reply.text, '')
  t.same(await api.versionNumbers(fn.id), [2])
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/1`), 404, undefined, 'show after delete')
  expectFault(
    t,
    await api.get(`/v1/functions/${fn.id}/versions/1?download=true`),
    404,
    undefined,
    'download after delete',
  )
  expectFault(t, await api.delete(`/v1/functions/${fn.id}/versions/1`), 404, undefined, 'a second delete')
  expectFault(t, await api.delete(`/v1/functions/${fn.id}/versions/0`), 404, undefined, 'version 0 cannot be deleted')
  expectFault(t, await api.delete(`/v1/functions/${fn.id}/versions/abc`), 400, undefined, 'not a number')
  t.same(
    (await api.get(`/v1/functions/${fn.id}/versions/2?download=true`)).bytes,
    pkg(2),
    'the other version is untouched',
  )
})

t.test('description limits and types', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  expectFault(
    t,
    await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: 'd'.repeat(256) } }),
    400,
    'Invalid description: must be at most 255 characters.',
  )
  expectFault(
    t,
    await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: 42 } }),
    400,
    undefined,
    'a number',
  )
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`, { json: ['x'] }), 400, undefined, 'an array body')
  t.equal((await api.createVersion(fn.id, 'fine')).version_number, 1, 'the refusals used no number')
})

t.test('parallel creates on one function: one version, the rest refused, no number lost', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  const ids = [fn.id, fn.id.toUpperCase(), fn.id, fn.id.toUpperCase(), fn.id]
  const replies = await Promise.all(ids.map((id) => api.post(`/v1/functions/${id}/versions`)))
  t.same(replies.map((r) => r.status).sort(), [201, 403, 403, 403, 403], 'exactly one made it')
  await api.uploadPackage(fn.id, pkg(2))
  t.equal((await api.createVersion(fn.id)).version_number, 2, 'and the next is 2')
})

t.test('parallel uploads and creates stay consistent: distinct, consecutive numbers', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(0))
  const created = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      await api.uploadPackage(fn.id, pkg(i + 1))
      const reply = await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: `after ${i + 1}` } })
      return reply.status === 201 ? reply.json<VersionJson>().version_number : undefined
    }),
  )
  const numbers = created.filter((n): n is number => n !== undefined).sort((a, b) => a - b)
  t.ok(numbers.length >= 1, 'at least one version')
  t.same(
    numbers,
    numbers.map((_, i) => i + 1),
    'numbers 1..k, none skipped, none twice',
  )
  t.same(await api.versionNumbers(fn.id), numbers)
})
