import { join } from 'node:path'

import t from 'tap'

import type { RequestContext } from '../../engine/context.js'
import { databasePath } from '../../engine/engine.js'
import { openDatabase } from '../../engine/store/open-database.js'
import { Api, codeMd5, expectFault, type FunctionJson, md5, type Tap, type VersionJson } from '../helpers/api.js'
import { runGit } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number) =>
  makeZip([
    { name: 'main.py', content: `def main():\n    return ${n}\n` },
    { name: 'bin/run', content: '#!/bin/sh\n', mode: 0o100755 },
  ])

/** Each request acts as the project named by `x-project` (default: `default`), role given by `x-role`. */
const byHeader = (request: { headers: Record<string, unknown> }): RequestContext => ({
  projectId: (request.headers['x-project'] as string | undefined) ?? 'default',
  role: request.headers['x-role'] === 'admin' ? 'admin' : 'member',
  actor: 'test',
})

async function setup(t: Tap) {
  const dir = t.testdir()
  const dataDir = join(dir, 'data')
  const server = await startServer({ dataDir, authenticate: byHeader })
  t.teardown(() => server.close())
  return { api: new Api(server.url, t), dir, dataDir, server }
}

const snapshot = (v: VersionJson) => v.config as Record<string, unknown> | null

t.test('restore: vN becomes the current code and config, as a new commit on top', async (t) => {
  const { api, dir, server } = await setup(t)
  const fn = await api.createFunction(pkg(1), { timeout: '7', entry: 'main.one' })
  const v1 = await api.createVersion(fn.id, 'one')
  t.same(snapshot(v1), { entry: 'main.one', runtime_id: 'python3', cpu: 100, memory_size: 33554432, timeout: 7 })
  await api.uploadPackage(fn.id, pkg(2))
  t.equal((await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 20, entry: 'main.two' } })).status, 200)
  const v2 = await api.createVersion(fn.id, 'two')
  t.match(snapshot(v2), { entry: 'main.two', timeout: 20 })
  const before = (await api.get(`/v1/functions/${fn.id}`)).json<FunctionJson>()

  const reply = await api.post(`/v1/functions/${fn.id}/versions/1/restore`)
  t.equal(reply.status, 200)
  const restored = reply.json<FunctionJson>()
  t.match(restored, { id: fn.id, entry: 'main.one', timeout: 7, tree: v1.tree })
  t.equal(codeMd5(restored), md5(pkg(1)), "the function's md5 is v1's")
  t.not(restored.commit, before.commit, 'a new commit')
  const download = await api.get(`/v1/functions/${fn.id}?download=true`)
  t.ok(download.bytes.equals(pkg(1)), "the download is v1's archive, byte for byte")

  const work = join(dir, 'clone')
  t.equal((await runGit(['clone', '-q', `${server.url}/git/${fn.id}.git`, work], { cwd: dir })).code, 0)
  const log = (await runGit(['log', '-1', '--format=%H %P %s', 'main'], { cwd: work })).stdout.trim()
  t.equal(
    log,
    `${restored.commit} ${before.commit} Restore version 1`,
    'the restore commit, with the old head as parent',
  )
  t.equal((await runGit(['rev-parse', 'main^{tree}'], { cwd: work })).stdout.trim(), v1.tree)
  const tag = (await runGit(['cat-file', '-p', 'v2'], { cwd: work })).stdout
  t.match(tag, /\n\ntwo\n\nTagstone-Entry: main\.two\nTagstone-Runtime: python3\nTagstone-Cpu: 100\n/)
  t.match(
    tag,
    new RegExp(`Tagstone-Memory-Size: 33554432\nTagstone-Timeout: 20\nTagstone-Package-Sha256: ${v2.sha256}\n`),
  )

  const again = await api.post(`/v1/functions/${fn.id}/versions/1/restore`)
  t.equal(again.status, 200)
  t.equal(again.json<FunctionJson>().commit, restored.commit, 'restoring onto an equal function makes no commit')

  const v3 = await api.createVersion(fn.id, 'after restore')
  t.equal(v3.version_number, 3, 'the next number')
  t.equal(v3.tree, v1.tree, 'with the restored tree')
  t.same(snapshot(v3), snapshot(v1), 'and the restored config')
  const refused = await api.post(`/v1/functions/${fn.id}/versions`, { json: {} })
  expectFault(t, refused, 403, 'Function package not changed since the latest version 3.')
})

t.test('a config-only change may be published; who may restore', async (t) => {
  const { api } = await setup(t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id)
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, /not changed since the latest version 1/)
  t.equal((await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 9 } })).status, 200)
  const v2 = await api.createVersion(fn.id, 'timeout only')
  t.equal(v2.tree, (await api.get(`/v1/functions/${fn.id}/versions/1`)).json<VersionJson>().tree, 'same tree')
  t.match(snapshot(v2), { timeout: 9 })

  const other = { headers: { 'x-project': 'other' } }
  const otherAdmin = { headers: { 'x-project': 'other', 'x-role': 'admin' } }
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/1/restore`, other), 404)
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/1/restore`, otherAdmin), 404)
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/9/restore`), 404)
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions/zero/restore`), 400)
  const restored = await api.post(`/v1/functions/${fn.id}/versions/1/restore`)
  t.match(restored.json<FunctionJson>(), { timeout: 5 }, 'a config-only restore')
})

t.test('a version made before snapshots were kept shows config null and restores its code only', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(pkg(1), { timeout: '3' })
  await api.createVersion(fn.id)
  const db = openDatabase(databasePath(dataDir))
  db.prepare(
    `UPDATE versions SET config_entry = NULL, config_runtime_id = NULL, config_cpu = NULL,
     config_memory_size = NULL, config_timeout = NULL WHERE function_id = ?`,
  ).run(fn.id)
  db.close()
  const v1 = (await api.get(`/v1/functions/${fn.id}/versions/1`)).json<VersionJson>()
  t.equal(v1.config, null)
  await api.uploadPackage(fn.id, pkg(2))
  t.equal((await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 11 } })).status, 200)
  const diff = (await api.get(`/v1/functions/${fn.id}/versions/1/diff`)).json<{ config: object; files: unknown[] }>()
  t.same(diff.config, {}, 'no config to compare with')
  t.equal(diff.files.length, 1)
  const restored = (await api.post(`/v1/functions/${fn.id}/versions/1/restore`)).json<FunctionJson>()
  t.match(restored, { tree: v1.tree, timeout: 11 }, 'the code comes back, the config stays')
  // Against a version with no snapshot, "unchanged" is judged by the tree alone, as before.
  expectFault(t, await api.post(`/v1/functions/${fn.id}/versions`), 403, /latest version 1/)
})
