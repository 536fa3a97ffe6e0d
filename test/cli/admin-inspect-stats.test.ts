import { statSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { openEngine } from '../../engine/engine.js'
import { ADMIN, buildFixture, packageZip } from '../engine/admin/fixture.js'
import { runTagstone } from '../helpers/tagstone-process.js'

/** The fixture (one function, versions 1-3, 3 deleted) plus a second function with one version and an alias on each. */
async function smallStore(dataDir: string) {
  const f = await buildFixture(dataDir)
  const engine = await openEngine({ dataDir })
  try {
    const other = await engine.createFunction(ADMIN, {
      fields: { name: 'other' },
      code: '{"source": "package"}',
      package: packageZip(7),
    })
    await engine.createVersion(ADMIN, other.id, { description: 'only' })
    engine.createAlias(ADMIN, { name: 'prod', function_id: f.functionId, function_version: 2 })
    engine.createAlias(ADMIN, { name: 'edge', function_id: f.functionId, function_version: 0 })
    engine.createAlias(ADMIN, { name: 'other', function_id: other.id, function_version: 1 })
  } finally {
    engine.close()
  }
  return f
}

t.test('tagstone admin stats --json counts the whole store', async (t) => {
  const f = await smallStore(t.testdir())
  const run = await runTagstone(['admin', 'stats', '--json', '--data', f.dataDir])
  t.equal(run.code, 0, run.stderr)
  const stats = JSON.parse(run.stdout)
  t.match(stats, {
    functions: 2,
    versions: { live: 3, deleted: 1, pending: 0, deleting: 0 },
    aliases: 3,
    packages: 4,
    repos: 2,
    operations: 0,
  })
  const zips = [1, 2, 3, 7].reduce((n, i) => n + packageZip(i).length, 0)
  t.equal(stats.archive_bytes, zips)
  t.ok(stats.repo_bytes > zips, 'the repositories hold at least the archives')
  t.equal(stats.database_bytes, statSync(join(f.dataDir, 'tagstone.db')).size)

  const text = await runTagstone(['admin', 'stats', '--data', f.dataDir])
  t.match(text.stdout, /versions\s+3 live, 1 deleted/)
})

t.test('tagstone admin inspect --json shows one function whole', async (t) => {
  const f = await smallStore(t.testdir())
  const run = await runTagstone(['admin', 'inspect', f.functionId, '--json', '--data', f.dataDir])
  t.equal(run.code, 0, run.stderr)
  const x = JSON.parse(run.stdout)
  t.match(x.function, { id: f.functionId, name: 'fixture', state: 'active', version_counter: 3 })
  t.same(
    x.versions.map((v: { number: number; state: string }) => [v.number, v.state]),
    [
      [1, 'live'],
      [2, 'live'],
      [3, 'deleted'],
    ],
  )
  t.match(x.versions[0], {
    tag: 'v1',
    status: 'available',
    size: packageZip(1).length,
    commit: /^[0-9a-f]{40}$/,
    tree: /^[0-9a-f]{40}$/,
  })
  t.equal(x.versions[0].tag_ref, x.versions[0].tag_object, 'the tag ref names the recorded tag object')
  t.equal(x.versions[2].tag_ref, null, 'a deleted version has no tag')
  t.same(x.aliases.map((a: { name: string; function_version: number }) => [a.name, a.function_version]).sort(), [
    ['edge', 0],
    ['prod', 2],
  ])
  t.equal(x.packages, 3)
  t.match(x.main, { history_length: 3, history_complete: true, commit: /^[0-9a-f]{40}$/ })
  t.match(x.repo, { exists: true, path: f.gitdir })
  t.ok(x.repo.bytes > 0)
  t.same(x.operations, [])

  const text = await runTagstone(['admin', 'inspect', f.functionId, '--data', f.dataDir])
  t.match(text.stdout, /versions \(3\):/)
  const unknown = await runTagstone(['admin', 'inspect', '00000000-0000-4000-8000-000000000000', '--data', f.dataDir])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /not found/)
  const malformed = await runTagstone(['admin', 'inspect', 'nope', '--data', f.dataDir])
  t.equal(malformed.code, 2)
})
