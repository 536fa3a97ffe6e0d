import { existsSync } from 'node:fs'
import { join } from 'node:path'

import t, { type Test } from 'tap'

import { fsck } from '../../../engine/admin/fsck.js'
import { openEngine } from '../../../engine/engine.js'
import { newId } from '../../../engine/ids.js'
import { AlreadyDone } from '../../../engine/operations/operation.js'
import { definitionOf, type InputOf, type OperationKind } from '../../../engine/operations/registry.js'
import { reserveOperation } from '../../../engine/operations/run-operation.js'
import { git } from '../../helpers/git.js'
import { ADMIN, buildFixture, type Fixture, packageZip, querySql } from '../admin/fixture.js'

/** Where the process dies: after the reserve committed, after the git work, or inside the confirm's transaction. */
const CUTS = ['after reserve', 'after git', 'in confirm'] as const
type Cut = (typeof CUTS)[number]

/**
 * Runs an operation's steps by hand, through the real registry on the real data
 * directory, up to `cut`, and leaves the store as a kill there would.
 */
async function crashAt<K extends OperationKind>(t: Test, dataDir: string, kind: K, input: InputOf<K>, cut: Cut) {
  const engine = await openEngine({ dataDir })
  try {
    const deps = engine.deps
    const definition = definitionOf(kind)
    const plan = await definition.prepare(deps, input)
    if (plan instanceof AlreadyDone) throw new Error(`${kind}: nothing to journal`)
    const reserved = reserveOperation(deps, kind, definition, plan, input)
    if (cut === 'after reserve') return
    const written = await definition.git(deps, reserved)
    if (cut === 'after git') return
    const confirmCutShort = deps.db.transaction(() => {
      definition.confirm(deps, reserved, written)
      throw new Error('killed before the commit')
    })
    t.throws(confirmCutShort, /killed/)
  } finally {
    engine.close()
  }
}

/** Opens the store again (start-up recovery runs), hands the engine to `check`, and asserts it is all settled. */
async function recoverAndCheck(
  t: Test,
  dataDir: string,
  check: (engine: Awaited<ReturnType<typeof openEngine>>) => Promise<void>,
) {
  const engine = await openEngine({ dataDir })
  t.teardown(() => engine.close())
  t.same(querySql(dataDir, `SELECT count(*) AS n FROM operations`), [{ n: 0 }], 'no operation left')
  await check(engine)
  t.same((await fsck(engine.deps)).problems, [], 'fsck finds nothing wrong')
}

const fn = (f: Fixture, id = f.functionId) =>
  querySql<{ head_commit: string; version_counter: number }>(
    f.dataDir,
    `SELECT head_commit, version_counter FROM functions WHERE id = ?`,
    id,
  )
const versionRow = (f: Fixture, n: number) =>
  querySql(f.dataDir, `SELECT state FROM versions WHERE function_id = ? AND version_number = ?`, f.functionId, n)
const refs = (f: Fixture, prefix: string) => git(f.gitdir, 'for-each-ref', '--format=%(refname)', prefix)

for (const cut of CUTS) {
  t.test(`create-function cut ${cut}: undone, no row and no repository`, async (t) => {
    const f = await buildFixture(t.testdir())
    const id = newId()
    const input = { fields: { name: 'lost' }, code: '{"source": "package"}', package: packageZip(7) }
    await crashAt(t, f.dataDir, 'create-function', { ctx: ADMIN, functionId: id, input }, cut)
    await recoverAndCheck(t, f.dataDir, async () => {
      t.same(fn(f, id), [])
      t.notOk(existsSync(join(f.dataDir, 'repos', `${id}.git`)))
    })
  })

  t.test(`upload cut ${cut}: undone, main and head back, no archive ref`, async (t) => {
    const f = await buildFixture(t.testdir())
    const head = await git(f.gitdir, 'rev-parse', 'refs/heads/main')
    const archives = await refs(f, 'refs/archives/')
    await crashAt(
      t,
      f.dataDir,
      'upload',
      { ctx: ADMIN, functionId: f.functionId, input: { fields: {}, package: packageZip(9) } },
      cut,
    )
    await recoverAndCheck(t, f.dataDir, async () => {
      t.equal(await git(f.gitdir, 'rev-parse', 'refs/heads/main'), head)
      t.equal(fn(f)[0]?.head_commit, head)
      t.equal(await refs(f, 'refs/archives/'), archives)
      t.same(querySql(f.dataDir, `SELECT count(*) AS n FROM packages`), [{ n: 3 }])
    })
  })

  t.test(`create-version cut ${cut}: undone, no tag, its number stays used`, async (t) => {
    const f = await buildFixture(t.testdir())
    const input = { ctx: ADMIN, functionId: f.functionId, input: { description: 'lost' } }
    await crashAt(t, f.dataDir, 'create-version', input, cut)
    await recoverAndCheck(t, f.dataDir, async (engine) => {
      t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2')
      t.same(versionRow(f, 4), [{ state: 'deleted' }])
      t.equal(fn(f)[0]?.version_counter, 4)
      t.equal((await engine.createVersion(ADMIN, f.functionId, {})).version_number, 5)
    })
  })

  t.test(`delete-version cut ${cut}: finished, no tag, a tombstone`, async (t) => {
    const f = await buildFixture(t.testdir())
    await crashAt(t, f.dataDir, 'delete-version', { ctx: ADMIN, functionId: f.functionId, number: 2 }, cut)
    await recoverAndCheck(t, f.dataDir, async () => {
      t.equal(await git(f.gitdir, 'tag', '--list'), 'v1')
      t.same(versionRow(f, 2), [{ state: 'deleted' }])
    })
  })

  t.test(`restore-function cut ${cut}: undone, main, head and config as they were`, async (t) => {
    const f = await buildFixture(t.testdir())
    const head = await git(f.gitdir, 'rev-parse', 'refs/heads/main')
    const archives = await refs(f, 'refs/archives/')
    const before = querySql(f.dataDir, `SELECT * FROM functions`)
    await crashAt(t, f.dataDir, 'restore-function', { ctx: ADMIN, functionId: f.functionId, number: 1 }, cut)
    await recoverAndCheck(t, f.dataDir, async (engine) => {
      t.equal(await git(f.gitdir, 'rev-parse', 'refs/heads/main'), head)
      t.equal(await refs(f, 'refs/archives/'), archives)
      t.same(querySql(f.dataDir, `SELECT * FROM functions`), before)
      t.same(querySql(f.dataDir, `SELECT count(*) AS n FROM packages`), [{ n: 3 }])
      const restored = await engine.restoreVersion(ADMIN, f.functionId, 1)
      t.equal(
        JSON.parse(restored.code).md5sum,
        querySql<{ md5sum: string }>(f.dataDir, `SELECT md5sum FROM packages ORDER BY rowid LIMIT 1`)[0]!.md5sum,
      )
    })
  })

  t.test(`delete-function cut ${cut}: finished, no row and no repository`, async (t) => {
    const f = await buildFixture(t.testdir())
    await crashAt(t, f.dataDir, 'delete-function', { ctx: ADMIN, functionId: f.functionId }, cut)
    await recoverAndCheck(t, f.dataDir, async () => {
      t.same(fn(f), [])
      t.same(querySql(f.dataDir, `SELECT count(*) AS n FROM versions`), [{ n: 0 }])
      t.notOk(existsSync(f.gitdir))
    })
  })
}

for (const cut of CUTS) {
  t.test(`create-version with retention cut ${cut}: neither the version nor its prune`, async (t) => {
    const f = await buildFixture(t.testdir())
    const engine = await openEngine({ dataDir: f.dataDir })
    await engine.updateFunction(ADMIN, f.functionId, { fields: { version_retention: 2 }, package: packageZip(4) })
    engine.close()
    const input = { ctx: ADMIN, functionId: f.functionId, input: { description: 'lost' } }
    await crashAt(t, f.dataDir, 'create-version', input, cut)
    await recoverAndCheck(t, f.dataDir, async (engine) => {
      t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2', 'the pruned tag is back, the new one gone')
      t.same(versionRow(f, 1), [{ state: 'live' }])
      t.same(versionRow(f, 4), [{ state: 'deleted' }])
      const made = await engine.createVersion(ADMIN, f.functionId, {})
      t.equal(made.version_number, 5, 'the number stays used')
      t.equal(await git(f.gitdir, 'tag', '--list'), 'v2\nv5', 'a create that completes prunes as it should')
    })
  })

  t.test(`prune-versions cut ${cut}: finished`, async (t) => {
    const f = await buildFixture(t.testdir())
    await crashAt(t, f.dataDir, 'prune-versions', { ctx: ADMIN, functionId: f.functionId, keep: 1 }, cut)
    await recoverAndCheck(t, f.dataDir, async () => {
      t.equal(await git(f.gitdir, 'tag', '--list'), 'v2')
      t.same(versionRow(f, 1), [{ state: 'deleted' }])
    })
  })
}

const eventsOf = (f: Fixture, action: string) =>
  querySql<{ actor: string; version: number }>(
    f.dataDir,
    `SELECT actor, version FROM events WHERE action = ? ORDER BY id`,
    action,
  )

for (const cut of CUTS) {
  t.test(`events across a cut ${cut}: a finished delete has its event, an undone create has none`, async (t) => {
    const f = await buildFixture(t.testdir())
    const someone = { ...ADMIN, actor: 'token-id' }
    await crashAt(t, f.dataDir, 'delete-version', { ctx: someone, functionId: f.functionId, number: 2 }, cut)
    await crashAt(t, f.dataDir, 'create-version', { ctx: someone, functionId: f.functionId, input: {} }, cut)
    await recoverAndCheck(t, f.dataDir, async () => {
      t.same(eventsOf(f, 'version.delete'), [
        { actor: 'cli', version: 3 },
        { actor: 'token-id', version: 2 },
      ])
      t.same(eventsOf(f, 'version.create'), [
        { actor: 'cli', version: 1 },
        { actor: 'cli', version: 2 },
        { actor: 'cli', version: 3 },
      ])
    })
  })
}
