import { join } from 'node:path'

import t from 'tap'

import { fsck } from '../../engine/admin/fsck.js'
import { Api, expectFault, type FunctionJson } from '../helpers/api.js'
import { versionRows } from '../helpers/data-dir.js'
import { runGit } from '../helpers/git.js'
import { functionForm, startServer } from '../helpers/server.js'
import { runTagstone } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])
type Retained = FunctionJson & { version_retention: number }
const byId = <T extends { function_id: string }>(xs: T[]) =>
  xs.sort((x, y) => x.function_id.localeCompare(y.function_id))

t.test('version_retention: set on create and update, shown, validated', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const plain = await api.createFunction(pkg(1))
  t.equal((plain as Retained).version_retention, 0, 'off by default')
  const kept = await api.createFunction(pkg(2), { version_retention: '4' })
  t.equal((kept as Retained).version_retention, 4, 'multipart create, as a string')
  const json = await api.put(`/v1/functions/${kept.id}`, { json: { version_retention: 2 } })
  t.equal(json.json<Retained>().version_retention, 2, 'JSON update')
  const form = await api.put(`/v1/functions/${kept.id}`, { urlencoded: { version_retention: '0' } })
  t.equal(form.json<Retained>().version_retention, 0, 'form update; 0 turns it off')
  for (const bad of [-1, 1.5, 'many', 2_000_000]) {
    expectFault(
      t,
      await api.put(`/v1/functions/${kept.id}`, { json: { version_retention: bad } }),
      400,
      /Invalid version_retention/,
      `retention ${bad}`,
    )
  }
  expectFault(
    t,
    await api.post('/v1/functions', { form: functionForm(pkg(3), { version_retention: 'x' }) }),
    400,
    /Invalid version_retention/,
  )
})

t.test('retention 3: after 10 creates with an alias on version 2, version 2 and the newest 3 stay', async (t) => {
  const root = t.testdir({ home: {} })
  const dataDir = join(root, 'data')
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(1), { version_retention: '3' })
  const home = join(root, 'home')
  const clone = join(home, 'clone')
  for (let n = 1; n <= 10; n++) {
    if (n > 1) await api.uploadPackage(fn.id, pkg(n))
    await api.createVersion(fn.id, `v${n}`)
    if (n === 2) await api.createAlias({ name: 'prod', function_id: fn.id, function_version: 2 })
    if (n === 4) {
      const cloned = await runGit(['clone', '-q', `${server.url}/git/${fn.id}.git`, clone], { cwd: home })
      t.equal(cloned.code, 0, cloned.stderr)
    }
  }
  t.same(await api.versionNumbers(fn.id), [2, 8, 9, 10], 'the aliased version and the newest 3')
  t.same(
    versionRows(dataDir, fn.id).map((v) => v.state),
    ['deleted', 'live', 'deleted', 'deleted', 'deleted', 'deleted', 'deleted', 'live', 'live', 'live'],
    'pruned versions stay as tombstones',
  )
  t.equal((await api.createVersion(fn.id).catch(() => null))?.version_number ?? 0, 0, 'unchanged code: refused')
  await api.uploadPackage(fn.id, pkg(11))
  t.equal((await api.createVersion(fn.id)).version_number, 11, 'numbers are never reused')
  t.same(await api.versionNumbers(fn.id), [2, 9, 10, 11])

  const fetched = await runGit(['fetch', '-q', '--prune', '--prune-tags', 'origin'], { cwd: clone, home })
  t.equal(fetched.code, 0, fetched.stderr)
  t.equal(
    (await runGit(['tag', '--list'], { cwd: clone, home })).stdout.trim(),
    'v10\nv11\nv2\nv9',
    'pruned tags are gone',
  )

  // The alias moves off version 2: the next create may prune it.
  await api.put('/v1/aliases/prod', { json: { function_version: 11 } })
  await api.uploadPackage(fn.id, pkg(12))
  await api.createVersion(fn.id)
  t.same(await api.versionNumbers(fn.id), [10, 11, 12], 'version 2 goes once nothing routes to it')
  t.same((await fsck(server.engine.deps)).problems, [], 'fsck clean')

  const events = (await api.get(`/v1/events?function_id=${fn.id}&action=version.prune`)).json<{
    events: Array<{ details: { versions: number[]; keep: number } }>
  }>().events
  t.same(
    events.map((e) => e.details.versions),
    [[1], [3], [4], [5], [6], [7], [8], [2, 9]],
    'each prune logged with the versions it took',
  )
})

t.test('tagstone admin prune --keep-last N: dry run, one function, all, JSON', async (t) => {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  const api = new Api(server.url, t)
  const a = await api.createFunction(pkg(1))
  const b = await api.createFunction(pkg(100))
  for (let n = 1; n <= 4; n++) {
    if (n > 1) await api.uploadPackage(a.id, pkg(n))
    await api.createVersion(a.id)
    if (n <= 2) {
      if (n > 1) await api.uploadPackage(b.id, pkg(100 + n))
      await api.createVersion(b.id)
    }
  }
  await api.createAlias({ name: 'pin', function_id: a.id, function_version: 1, routing_config: null })
  await api.put('/v1/aliases/pin', { json: { routing_config: { additional_version_weights: { 2: 0.5 } } } })

  const dry = await runTagstone(['admin', 'prune', '--keep-last', '3', '--dry-run', '--json', '--data', dataDir])
  t.equal(dry.code, 0, dry.stderr)
  // Functions come in the order they were made (ids break ties within a second): compared by id.
  const dryOut = JSON.parse(dry.stdout) as { functions: Array<{ function_id: string }> }
  t.same(
    { ...dryOut, functions: byId(dryOut.functions) },
    {
      keep: 3,
      dry_run: true,
      functions: byId([
        { function_id: a.id, pruned: [] },
        { function_id: b.id, pruned: [] },
      ]),
    },
  )
  const dryOne = await runTagstone([
    'admin',
    'prune',
    '--keep-last',
    '1',
    '--dry-run',
    '--function',
    a.id,
    '--data',
    dataDir,
  ])
  t.equal(dryOne.code, 0, dryOne.stderr)
  t.match(dryOne.stdout, `${a.id}: would prune v3\n`)
  t.match(dryOne.stdout, 'would prune 1 version(s) of 1 function(s), keeping the newest 1')
  t.same(await api.versionNumbers(a.id), [1, 2, 3, 4], 'a dry run changes nothing')
  await server.close()

  const real = await runTagstone(['admin', 'prune', '--keep-last', '1', '--json', '--data', dataDir])
  t.equal(real.code, 0, real.stderr)
  t.same(
    byId((JSON.parse(real.stdout) as { functions: Array<{ function_id: string }> }).functions),
    byId([
      { function_id: a.id, pruned: [3] },
      { function_id: b.id, pruned: [1] },
    ]),
  )
  const again = await startServer({ dataDir })
  t.teardown(() => again.close())
  const api2 = new Api(again.url, t)
  t.same(await api2.versionNumbers(a.id), [1, 2, 4], 'the referenced versions stay: 1 aliased, 2 weighted')
  t.same(await api2.versionNumbers(b.id), [2])
  const events = (await api2.get('/v1/events?action=version.prune')).json<{
    events: Array<{ actor: string; function_id: string; details: unknown }>
  }>().events
  t.same(
    byId(events).map((e) => [e.actor, e.function_id, e.details]),
    [
      ['cli', a.id, { keep: 1, versions: [3] }],
      ['cli', b.id, { keep: 1, versions: [1] }],
    ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
  )

  for (const [args, code, message] of [
    [['--keep-last', '0'], 2, /--keep-last must be a whole number of 1 or more/],
    [[], 2, /--keep-last N is required/],
    [['--keep-last', '1', '--function', 'nope'], 2, /not a UUID/],
    [['--keep-last', '1', '--function', '4a9c2d8e-1111-4222-8333-944455556666'], 1, /not found/],
  ] as const) {
    const run = await runTagstone(['admin', 'prune', ...args, '--dry-run', '--data', dataDir])
    t.equal(run.code, code, `${args.join(' ')}: exit ${code}`)
    t.match(run.stderr, message)
  }
})
