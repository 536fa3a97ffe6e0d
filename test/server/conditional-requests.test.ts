import t from 'tap'

import { Api, expectFault, type FunctionJson, type Tap, type VersionJson } from '../helpers/api.js'
import { gitdirOf, versionRows } from '../helpers/data-dir.js'
import { git } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number | string) =>
  makeZip([{ name: 'main.py', content: `def main():\n    return ${JSON.stringify(n)}\n` }])

const packageForm = (zip: Buffer) => {
  const form = new FormData()
  form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  return form
}

async function setup(t: Tap) {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(0), { name: 'conditional' })
  return { api, dataDir, fn }
}

const etagOf = (reply: { headers: Headers }) => reply.headers.get('etag') ?? ''

t.test('GET answers an ETag that changes with every change, and If-None-Match gives 304', async (t) => {
  const { api, fn } = await setup(t)
  const first = await api.get(`/v1/functions/${fn.id}`)
  const tag = etagOf(first)
  t.match(tag, /^"[0-9a-f]{24}"$/, 'a strong ETag')
  t.equal(first.json<FunctionJson>().etag, tag, 'the body names it too')
  t.equal(etagOf(await api.get(`/v1/functions/${fn.id}`)), tag, 'the same while nothing changes')

  const notModified = await api.get(`/v1/functions/${fn.id}`, { headers: { 'if-none-match': tag } })
  t.equal(notModified.status, 304)
  t.equal(notModified.text, '', 'no body')
  t.equal(etagOf(notModified), tag)
  t.equal((await api.get(`/v1/functions/${fn.id}`, { headers: { 'if-none-match': `W/${tag}` } })).status, 304)
  t.equal((await api.get(`/v1/functions/${fn.id}`, { headers: { 'if-none-match': `"other", ${tag}` } })).status, 304)
  t.equal((await api.get(`/v1/functions/${fn.id}`, { headers: { 'if-none-match': '*' } })).status, 304)
  t.equal((await api.get(`/v1/functions/${fn.id}`, { headers: { 'if-none-match': '"other"' } })).status, 200)

  const seen = new Set([tag])
  const changes: Array<[string, () => Promise<unknown>]> = [
    ['a field', () => api.put(`/v1/functions/${fn.id}`, { json: { description: 'new' } })],
    ['retention', () => api.put(`/v1/functions/${fn.id}`, { json: { version_retention: 5 } })],
    ['a package', () => api.uploadPackage(fn.id, pkg(1))],
    ['a version', () => api.createVersion(fn.id)],
    ['a version delete', () => api.delete(`/v1/functions/${fn.id}/versions/1`)],
  ]
  for (const [what, change] of changes) {
    await change()
    const now = etagOf(await api.get(`/v1/functions/${fn.id}`))
    t.notOk(seen.has(now), `${what} changes the function's ETag`)
    seen.add(now)
  }
  const same = etagOf(await api.get(`/v1/functions/${fn.id}`))
  await api.uploadPackage(fn.id, pkg(1))
  t.equal(etagOf(await api.get(`/v1/functions/${fn.id}`)), same, 'an upload of the same bytes changes nothing')
})

t.test('versions and aliases have ETags too: a detach changes the version, an update the alias', async (t) => {
  const { api, fn } = await setup(t)
  const made = await api.post(`/v1/functions/${fn.id}/versions`, { json: {} })
  t.equal(made.status, 201)
  const v1 = etagOf(made)
  t.equal(etagOf(await api.get(`/v1/functions/${fn.id}/versions/1`)), v1, 'the 201 carries the ETag a GET gives')
  t.equal((await api.get(`/v1/functions/${fn.id}/versions/1`, { headers: { 'if-none-match': v1 } })).status, 304)
  t.equal((await api.post(`/v1/functions/${fn.id}/versions/1/detach`)).status, 202)
  t.not(etagOf(await api.get(`/v1/functions/${fn.id}/versions/1`)), v1, 'detached: a new ETag')

  const alias = await api.post('/v1/aliases', { json: { name: 'prod', function_id: fn.id } })
  const a1 = etagOf(alias)
  t.match(a1, /^"[0-9a-f]{24}"$/)
  t.equal((await api.get('/v1/aliases/prod', { headers: { 'if-none-match': a1 } })).status, 304)
  const stale = await api.put('/v1/aliases/prod', { json: { function_version: 1 }, headers: { 'if-match': '"x"' } })
  expectFault(t, stale, 412, /Precondition failed/)
  t.equal((await api.get('/v1/aliases/prod')).json<{ function_version: number }>().function_version, 0, 'unchanged')
  const moved = await api.put('/v1/aliases/prod', { json: { function_version: 1 }, headers: { 'if-match': a1 } })
  t.equal(moved.status, 200)
  const a2 = etagOf(moved)
  t.not(a2, a1)
  expectFault(t, await api.delete('/v1/aliases/prod', { headers: { 'if-match': a1 } }), 412)
  t.equal((await api.delete('/v1/aliases/prod', { headers: { 'if-match': a2 } })).status, 204)

  // A new alias of the same name is another alias: the old one's ETag does not match it.
  await api.post('/v1/aliases', { json: { name: 'prod', function_id: fn.id } })
  expectFault(t, await api.delete('/v1/aliases/prod', { headers: { 'if-match': a1 } }), 412)
})

t.test('8 clients racing a PUT with the same If-Match: one 200, seven 412, one new commit', async (t) => {
  const { api, dataDir, fn } = await setup(t)
  const tag = etagOf(await api.get(`/v1/functions/${fn.id}`))
  const gitdir = gitdirOf(dataDir, fn.id)
  const commits = Number(await git(gitdir, 'rev-list', '--count', 'main'))
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      api.put(`/v1/functions/${fn.id}`, { form: packageForm(pkg(`racer ${i}`)), headers: { 'if-match': tag } }),
    ),
  )
  const statuses = replies.map((r) => r.status).sort()
  t.same(statuses, [200, 412, 412, 412, 412, 412, 412, 412])
  for (const r of replies.filter((r) => r.status === 412)) expectFault(t, r, 412, /If-Match/)
  t.equal(Number(await git(gitdir, 'rev-list', '--count', 'main')), commits + 1, 'exactly one new commit')
  const winner = replies.find((r) => r.status === 200)!
  t.equal(etagOf(winner), etagOf(await api.get(`/v1/functions/${fn.id}`)), 'the winner got the new ETag')

  // Metadata alone races the same way.
  const now = etagOf(winner)
  const fields = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      api.put(`/v1/functions/${fn.id}`, { json: { description: `racer ${i}` }, headers: { 'if-match': now } }),
    ),
  )
  t.same(fields.map((r) => r.status).sort(), [200, 412, 412, 412, 412, 412, 412, 412])
})

t.test(
  'publish exactly what I uploaded: a version create with a stale If-Match is 412, no number, no tag',
  async (t) => {
    const { api, dataDir, fn } = await setup(t)
    const mine = await api.put(`/v1/functions/${fn.id}`, { form: packageForm(pkg('mine')) })
    const tag = etagOf(mine)
    await api.uploadPackage(fn.id, pkg('theirs'))
    const refused = await api.post(`/v1/functions/${fn.id}/versions`, { json: {}, headers: { 'if-match': tag } })
    expectFault(t, refused, 412)
    t.same(versionRows(dataDir, fn.id), [], 'no number taken')
    t.equal(await git(gitdirOf(dataDir, fn.id), 'tag', '--list'), '', 'no tag')

    const current = etagOf(await api.get(`/v1/functions/${fn.id}`))
    const made = await api.post(`/v1/functions/${fn.id}/versions`, { json: {}, headers: { 'if-match': current } })
    t.equal(made.status, 201)
    t.equal(made.json<VersionJson>().version_number, 1, 'the first number is still free')
    const again = await api.post(`/v1/functions/${fn.id}/versions`, { json: {}, headers: { 'if-match': current } })
    expectFault(t, again, 412, undefined, 'a version create changes the function: the same ETag is now stale')
  },
)

t.test('If-Match on deletes, `*`, weak and unknown tags', async (t) => {
  const { api, fn } = await setup(t)
  const v = await api.post(`/v1/functions/${fn.id}/versions`, { json: {} })
  const vTag = etagOf(v)
  const fTag = etagOf(await api.get(`/v1/functions/${fn.id}`))
  const del = `/v1/functions/${fn.id}/versions/1`
  expectFault(t, await api.delete(del, { headers: { 'if-match': fTag } }), 412, undefined, "the function's ETag")
  expectFault(t, await api.delete(del, { headers: { 'if-match': `W/${vTag}` } }), 412, undefined, 'weak never matches')
  expectFault(t, await api.delete(del, { headers: { 'if-match': 'garbage' } }), 412, undefined, 'not an ETag')
  t.equal((await api.delete(del, { headers: { 'if-match': `"nope", ${vTag}` } })).status, 204, 'one of a list')
  expectFault(t, await api.delete(del, { headers: { 'if-match': '*' } }), 404, undefined, 'gone: 404 before 412')

  expectFault(t, await api.delete(`/v1/functions/${fn.id}`, { headers: { 'if-match': fTag } }), 412)
  const unchanged = await api.put(`/v1/functions/${fn.id}`, { json: {}, headers: { 'if-match': '"stale"' } })
  expectFault(t, unchanged, 412, undefined, 'a PUT that would change nothing is still refused when stale')
  t.equal((await api.delete(`/v1/functions/${fn.id}`, { headers: { 'if-match': '*' } })).status, 204)
})
