import t from 'tap'

import { fsck } from '../../engine/admin/fsck.js'
import { openEngine } from '../../engine/engine.js'
import { git } from '../helpers/git.js'
import { ADMIN, buildFixture, packageZip, querySql, tamperSql } from './admin/fixture.js'

t.test('an unsettled upload puts main back on the head SQLite records, not on a stale previous', async (t) => {
  const f = await buildFixture(t.testdir())
  const [p1, , p3] = querySql<{ commit_oid: string; archive_blob: string }>(
    f.dataDir,
    `SELECT commit_oid, archive_blob FROM packages ORDER BY rowid`,
  )
  // An upload published on top of the head whose confirm never came, journaled with an older `previous`
  // (as when a failed confirm is settled only after later uploads were confirmed).
  const orphan = await git(
    f.gitdir,
    '-c',
    'user.name=t',
    '-c',
    'user.email=t@t',
    'commit-tree',
    '-p',
    p3!.commit_oid,
    '-m',
    'unconfirmed',
    `${p3!.commit_oid}^{tree}`,
  )
  await git(f.gitdir, 'update-ref', `refs/archives/${orphan}`, p1!.archive_blob)
  await git(f.gitdir, 'update-ref', 'refs/heads/main', orphan)
  tamperSql(
    f.dataDir,
    `INSERT INTO operations (function_id, kind, payload, created_at) VALUES (?, 'upload', ?, '2026-01-01 00:00:00')`,
    f.functionId,
    JSON.stringify({ commit: orphan, previous: p1!.commit_oid }),
  )

  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/heads/main'), p3!.commit_oid)
  t.notMatch(await git(f.gitdir, 'for-each-ref', '--format=%(refname)', 'refs/archives/'), orphan)
  t.same((await fsck(engine.deps)).problems, [])
})

t.test('a confirm that fails is settled at once: no half version, and its number stays used', async (t) => {
  const f = await buildFixture(t.testdir())
  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  await engine.updateFunction(ADMIN, f.functionId, { fields: {}, package: packageZip(4) })
  const sql = engine.deps.sql
  const confirm = sql.confirmVersion
  sql.confirmVersion = () => {
    throw new Error('disk full')
  }
  await t.rejects(engine.createVersion(ADMIN, f.functionId, { description: 'lost' }), /disk full/)
  sql.confirmVersion = confirm
  t.same(querySql(f.dataDir, `SELECT count(*) AS n FROM operations`), [{ n: 0 }], 'nothing left for recovery')
  t.same(querySql(f.dataDir, `SELECT version_number, state FROM versions WHERE version_number = 4`), [
    { version_number: 4, state: 'deleted' },
  ])
  t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2', 'the tag written before the failed confirm is gone')
  t.equal((await engine.createVersion(ADMIN, f.functionId, {})).version_number, 5)
  t.same((await fsck(engine.deps)).problems, [])
})

t.test('a failed upload confirm puts main and the archive ref back', async (t) => {
  const f = await buildFixture(t.testdir())
  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  const head = await git(f.gitdir, 'rev-parse', 'refs/heads/main')
  const sql = engine.deps.sql
  const insert = sql.insertPackage
  sql.insertPackage = () => {
    throw new Error('disk full')
  }
  await t.rejects(engine.updateFunction(ADMIN, f.functionId, { fields: {}, package: packageZip(5) }), /disk full/)
  sql.insertPackage = insert
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/heads/main'), head)
  t.same(querySql(f.dataDir, `SELECT count(*) AS n FROM operations`), [{ n: 0 }])
  t.same((await fsck(engine.deps)).problems, [])
})
