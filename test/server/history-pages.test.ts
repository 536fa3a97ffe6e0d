import { randomUUID } from 'node:crypto'

import t from 'tap'

import { DEFAULT_PROJECT } from '../../engine/context.js'
import { Api, expectFault, type Json } from '../helpers/api.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const CTX = { projectId: DEFAULT_PROJECT, role: 'admin' as const, actor: 'test' }
const zip = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])

interface Listing {
  function_versions: Array<{ version_number: number }>
  next?: string
}

t.test('walking next over 1,000 versions in pages of 7, while versions come and go', async (t) => {
  const server = await startServer({ dataDir: t.testdir(), limits: { maxVersions: 5000 } })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const { engine } = server
  const fn = await api.createFunction(zip(1))
  // The first 1,000 rows are written straight into SQLite, as the engine's confirm leaves them: the
  // walk reads SQLite alone, and 1,000 durable tag writes would take half a minute on a slow disk.
  const db = engine.deps.db
  const version = `INSERT INTO versions (id, function_id, version_number, project_id, description, commit_oid,
    tree_oid, tag_oid, status, state, created_at, config_entry, config_runtime_id, config_cpu, config_memory_size,
    config_timeout) VALUES (?, ?, ?, 'default', '', ?, ?, ?, 'available', 'live', ?, 'main.main', 'python3', 100, 33554432, 5)`
  db.transaction(() => {
    for (let n = 1; n <= 1000; n++)
      db.prepare(version).run(randomUUID(), fn.id, n, fn.commit, fn.tree, fn.commit, fn.created_at)
    db.prepare(`UPDATE functions SET version_counter = 1000 WHERE id = ?`).run(fn.id)
  })()
  // A config-only change is enough for a new version, and needs no package.
  const publish = async (i: number) => {
    await engine.updateFunction(CTX, fn.id, { fields: { timeout: 1 + (i % 2) } })
    return (await engine.createVersion(CTX, fn.id, {})).version_number
  }

  let walking = true
  const deleted = new Set<number>()
  const churn = (async () => {
    for (let i = 0; walking; i++) {
      await publish(i)
      const victim = 1 + Math.floor(Math.random() * 1000)
      if (!deleted.has(victim)) {
        deleted.add(victim)
        await engine.deleteVersion(CTX, fn.id, victim)
      }
    }
  })()
  const seen: number[] = []
  let pages = 0
  let path: string | undefined = `/v1/functions/${fn.id}/versions?limit=7`
  while (path) {
    const page: Listing = (await api.get(path)).json<Listing>()
    t.ok(page.function_versions.length <= 7)
    seen.push(...page.function_versions.map((v) => v.version_number))
    path = page.next
    pages++
  }
  walking = false
  await churn

  const increasing = seen.every((n, i) => i === 0 || n > seen[i - 1]!)
  t.ok(increasing, 'in ascending order, none twice')
  const missing = Array.from({ length: 1000 }, (_, i) => i + 1).filter((n) => !deleted.has(n) && !seen.includes(n))
  t.same(missing, [], 'every version that stayed is there')
  t.ok(pages >= 1000 / 7 - deleted.size / 7, `${pages} pages, ${deleted.size} deleted during the walk`)
})

t.test('pages of functions, versions (both ways) and aliases; bad paging is 400', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fns = []
  for (let i = 0; i < 5; i++) fns.push(await api.createFunction(zip(i), { name: `f${i}` }))
  const fid = fns[0]!.id
  for (let i = 0; i < 5; i++) {
    await api.put(`/v1/functions/${fid}`, { json: { timeout: 10 + i } })
    await api.createVersion(fid)
  }
  for (let i = 0; i < 3; i++) await api.createAlias({ name: `a${i}`, function_id: fid })

  const all = (await api.get('/v1/functions')).json<{ functions: Json[]; next?: string }>()
  t.equal(all.functions.length, 5)
  t.notOk('next' in all, 'no limit: everything, no next')
  const first = (await api.get('/v1/functions?limit=2')).json<{ functions: Json[]; next: string }>()
  t.same(
    first.functions.map((f) => f.id),
    all.functions.slice(0, 2).map((f) => f.id),
  )
  t.equal(first.next, `/v1/functions?limit=2&marker=${all.functions[1]!.id}`)
  const second = (await api.get(first.next)).json<{ functions: Json[]; next: string }>()
  t.same(
    second.functions.map((f) => f.id),
    all.functions.slice(2, 4).map((f) => f.id),
  )
  const last = (await api.get(second.next)).json<{ functions: Json[]; next?: string }>()
  t.same(
    last.functions.map((f) => f.id),
    [all.functions[4]!.id],
  )
  t.notOk('next' in last, 'the last page has no next')
  const adminPage = (await api.get('/v1/functions?all_projects=true&limit=4')).json<{ next: string }>()
  t.match(adminPage.next, /^\/v1\/functions\?all_projects=true&limit=4&marker=/)

  const desc = (await api.get(`/v1/functions/${fid}/versions?sort_dir=desc&limit=2`)).json<Listing>()
  t.same(
    desc.function_versions.map((v) => v.version_number),
    [5, 4],
  )
  t.equal(desc.next, `/v1/functions/${fid}/versions?sort_dir=desc&limit=2&marker=4`)
  const desc2 = (await api.get(desc.next!)).json<Listing>()
  t.same(
    desc2.function_versions.map((v) => v.version_number),
    [3, 2],
  )
  const asc = (await api.get(`/v1/functions/${fid}/versions?marker=3`)).json<Listing>()
  t.same(
    asc.function_versions.map((v) => v.version_number),
    [4, 5],
    'a marker without a limit: the rest',
  )

  const aliases = (await api.get('/v1/aliases?limit=2')).json<{ function_aliases: Json[]; next: string }>()
  t.same(
    aliases.function_aliases.map((a) => a.name),
    ['a0', 'a1'],
  )
  t.equal(aliases.next, '/v1/aliases?limit=2&marker=a1')
  t.same(
    (await api.get(aliases.next)).json<{ function_aliases: Json[] }>().function_aliases.map((a) => a.name),
    ['a2'],
  )

  for (const limit of ['0', '1001', 'x', '1.5', '-1', ''])
    expectFault(t, await api.get(`/v1/functions?limit=${limit}`), 400, /^Invalid limit: /, `limit=${limit}`)
  expectFault(t, await api.get(`/v1/functions/${fid}/versions?limit=5000`), 400, /^Invalid limit/)
  expectFault(t, await api.get(`/v1/aliases?limit=abc`), 400, /^Invalid limit/)
  expectFault(t, await api.get(`/v1/functions?marker=nope`), 400, /^Invalid marker/)
  expectFault(t, await api.get(`/v1/functions?marker=4a9c2d8e-1111-4222-8333-944455556666`), 400, /^Invalid marker/)
  expectFault(t, await api.get(`/v1/functions/${fid}/versions?marker=v2`), 400, /^Invalid marker/)
  expectFault(t, await api.get(`/v1/functions/${fid}/versions?marker=0`), 400, /^Invalid marker/)
  expectFault(t, await api.get(`/v1/aliases?marker=nope`), 400, /^Invalid marker/)
  expectFault(t, await api.get(`/v1/functions/${fid}/versions?sort_dir=up`), 400, /^Invalid sort_dir/)
})
