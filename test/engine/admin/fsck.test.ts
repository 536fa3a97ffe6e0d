import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'

import t from 'tap'

import { fsck } from '../../../engine/admin/fsck.js'
import type { FsckReport, Problem } from '../../../engine/admin/problems.js'
import { openEngine } from '../../../engine/engine.js'
import { git } from '../../helpers/git.js'
import { ADMIN, buildFixture, type Fixture, packageZip, querySql, tamperSql } from './fixture.js'

interface VersionFacts {
  version_number: number
  tag_oid: string
  commit_oid: string
  state: string
}
const versions = (f: Fixture) =>
  querySql<VersionFacts>(
    f.dataDir,
    `SELECT version_number, tag_oid, commit_oid, state FROM versions WHERE function_id = ? ORDER BY version_number`,
    f.functionId,
  )
const packages = (f: Fixture) =>
  querySql<{ commit_oid: string; archive_blob: string }>(
    f.dataDir,
    `SELECT commit_oid, archive_blob FROM packages WHERE function_id = ? ORDER BY rowid`,
    f.functionId,
  )
const kinds = (problems: Problem[]) =>
  problems.map((p) => `${p.what}${p.version === undefined ? '' : ` v${p.version}`}`).sort()
const loose = (gitdir: string, oid: string) => join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))

/** A fresh fixture, tampered with, then: what fsck finds, what --repair does, and what a check after that finds. */
async function tamperAndRepair(
  t: { testdir(): string; same(found: unknown, wanted: unknown): boolean },
  tamper: (f: Fixture) => Promise<void> | void,
) {
  const f = await buildFixture(t.testdir())
  t.same((await fsck(f.dataDir)).problems, [])
  await tamper(f)
  const found = await fsck(f.dataDir)
  const repaired = await fsck(f.dataDir, { repair: true })
  const after = await fsck(f.dataDir)
  return { f, found, repaired, after }
}

const refusedKinds = (r: FsckReport) => kinds(r.refused.map((x) => x.problem))

t.test('a moved tag is named, and put back on its recorded tag object', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
    const [v1, v2] = versions(f)
    await git(f.gitdir, 'update-ref', 'refs/tags/v1', v2!.tag_oid)
    t.not(v1!.tag_oid, v2!.tag_oid)
  })
  const [v1, v2] = versions(f)
  t.same(kinds(found.problems), ['tag-moved v1'])
  t.match(found.problems[0], {
    function: f.functionId,
    version: 1,
    subject: 'refs/tags/v1',
    expected: v1!.tag_oid,
    found: v2!.tag_oid,
  })
  t.same(kinds(repaired.repaired), ['tag-moved v1'])
  t.same(repaired.remaining, [])
  t.same(after.problems, [])
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/tags/v1'), v1!.tag_oid)
})

t.test('a deleted tag is named and re-created from its recorded tag object', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, (f) =>
    git(f.gitdir, 'update-ref', '-d', 'refs/tags/v2').then(() => {}),
  )
  t.same(kinds(found.problems), ['tag-missing v2'])
  t.same(kinds(repaired.repaired), ['tag-missing v2'])
  t.same(after.problems, [])
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/tags/v2'), versions(f)[1]!.tag_oid)
})

t.test('a tag whose object is gone too is rebuilt from the row, byte for byte', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
    await git(f.gitdir, 'update-ref', '-d', 'refs/tags/v2')
    rmSync(loose(f.gitdir, versions(f)[1]!.tag_oid))
  })
  t.same(kinds(found.problems), ['tag-missing v2', 'tag-object-wrong v2'])
  t.same(kinds(repaired.repaired), ['tag-missing v2', 'tag-object-wrong v2'])
  t.same(after.problems, [])
  t.equal(await git(f.gitdir, 'cat-file', '-t', versions(f)[1]!.tag_oid), 'tag')
  t.equal(await git(f.gitdir, 'for-each-ref', '--format=%(contents:subject)', 'refs/tags/v2'), 'number 2')
})

t.test("a version row whose config snapshot disagrees with its tag's trailers is named and refused", async (t) => {
  const { found, repaired, after } = await tamperAndRepair(t, (f) => {
    tamperSql(
      f.dataDir,
      `UPDATE versions SET config_timeout = 99 WHERE function_id = ? AND version_number = 2`,
      f.functionId,
    )
  })
  t.same(kinds(found.problems), ['tag-config-mismatch v2'])
  t.match(found.problems[0]!.found, /Tagstone-Timeout: 5 \(expected 99\)/)
  t.same(refusedKinds(repaired), ['tag-config-mismatch v2'])
  t.match(repaired.refused[0]!.why, /backup/)
  t.same(kinds(after.problems), ['tag-config-mismatch v2'])
})

t.test('a version row deleted from SQLite is named; repair refuses to drop its tag or invent a row', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, (f) =>
    tamperSql(f.dataDir, `DELETE FROM versions WHERE function_id = ? AND version_number = 2`, f.functionId),
  )
  t.same(kinds(found.problems), ['tag-without-row v2'])
  t.same(repaired.repaired, [])
  t.same(refusedKinds(repaired), ['tag-without-row v2'])
  t.match(repaired.refused[0]!.why, /restore tagstone\.db from a backup/)
  t.match(repaired.refused[0]!.why, /update-ref -d refs\/tags\/v2/)
  t.same(kinds(after.problems), ['tag-without-row v2'], 'still there: nothing was guessed')
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/tags/v2'), repaired.refused[0]!.problem.found)
})

t.test('an archive ref moved to another blob is put back when the recorded blob is intact', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
    const [p1, p2] = packages(f)
    await git(f.gitdir, 'update-ref', `refs/archives/${p1!.commit_oid}`, p2!.archive_blob)
  })
  const [p1, p2] = packages(f)
  t.same(kinds(found.problems), ['archive-ref-moved'])
  t.match(found.problems[0], {
    subject: `refs/archives/${p1!.commit_oid}`,
    expected: p1!.archive_blob,
    found: p2!.archive_blob,
  })
  t.same(kinds(repaired.repaired), ['archive-ref-moved'])
  t.same(after.problems, [])
})

t.test('a damaged archive object is named and refused: the upload cannot be rebuilt', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, (f) => {
    const blob = packages(f)[0]!.archive_blob
    const forged = Buffer.from('not the zip that was uploaded')
    writeFileSync(loose(f.gitdir, blob), deflateSync(Buffer.concat([Buffer.from(`blob ${forged.length}\0`), forged])))
  })
  t.same(kinds(found.problems), ['archive-corrupt'])
  t.match(found.problems[0]!.found, /hashes to/)
  t.same(refusedKinds(repaired), ['archive-corrupt'])
  t.match(repaired.refused[0]!.why, /restored from a backup/)
  t.same(kinds(after.problems), ['archive-corrupt'])
  void f
})

t.test('a version counter lowered below a used number is raised back', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, (f) =>
    tamperSql(f.dataDir, `UPDATE functions SET version_counter = 1 WHERE id = ?`, f.functionId),
  )
  t.same(kinds(found.problems), ['counter-low'])
  t.match(found.problems[0], { expected: '>= 3', found: '1' }, 'the tombstone of version 3 counts')
  t.same(kinds(repaired.repaired), ['counter-low'])
  t.same(after.problems, [])
  t.same(querySql(f.dataDir, `SELECT version_counter FROM functions`), [{ version_counter: 3 }])
  // And the engine goes on from there: the next version is 4, never a reused 2 or 3.
  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  await engine.updateFunction(ADMIN, f.functionId, { fields: {}, package: packageZip(9) })
  t.equal((await engine.createVersion(ADMIN, f.functionId, {})).version_number, 4)
})

t.test('a removed repository is named and refused', async (t) => {
  const { found, repaired, after } = await tamperAndRepair(t, (f) => rmSync(f.gitdir, { recursive: true }))
  t.same(kinds(found.problems), ['repo-missing'])
  t.same(refusedKinds(repaired), ['repo-missing'])
  t.match(repaired.refused[0]!.why, /backup/)
  t.same(kinds(after.problems), ['repo-missing'])
})

t.test('main moved off the recorded head is put back', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
    await git(f.gitdir, 'update-ref', 'refs/heads/main', versions(f)[0]!.commit_oid)
  })
  t.same(kinds(found.problems), ['main-moved'])
  t.same(kinds(repaired.repaired), ['main-moved'])
  t.same(after.problems, [])
  t.equal(await git(f.gitdir, 'rev-parse', 'refs/heads/main'), packages(f)[2]!.commit_oid)
})

t.test("tags tagstone never made are removed; a deleted version's tag is removed", async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
    const [v1, , v3] = versions(f)
    await git(f.gitdir, 'update-ref', 'refs/tags/v99', v1!.commit_oid)
    await git(f.gitdir, 'update-ref', 'refs/tags/release', v1!.commit_oid)
    // Version 3 was deleted; its tag object is still in the repository.
    await git(f.gitdir, 'update-ref', 'refs/tags/v3', v3!.tag_oid)
  })
  t.same(kinds(found.problems), ['tag-of-deleted-version v3', 'tag-without-row', 'tag-without-row v99'])
  t.same(kinds(repaired.repaired), ['tag-of-deleted-version v3', 'tag-without-row', 'tag-without-row v99'])
  t.same(after.problems, [])
  t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2')
})

t.test(
  'a half-done version create is reported unsettled, and --repair settles it without freeing its number',
  async (t) => {
    const { f, found, repaired, after } = await tamperAndRepair(t, async (f) => {
      // What a kill -9 between the tag write and the confirm leaves behind.
      const [v1] = versions(f)
      const head = packages(f)[2]!
      const tree = await git(f.gitdir, 'rev-parse', `${head.commit_oid}^{tree}`)
      const versionId = randomUUID()
      tamperSql(f.dataDir, `UPDATE functions SET version_counter = 4 WHERE id = ?`, f.functionId)
      tamperSql(
        f.dataDir,
        `INSERT INTO versions (id, function_id, version_number, project_id, description, commit_oid, tree_oid, status, state, created_at)
      VALUES (?, ?, 4, 'default', '', ?, ?, 'available', 'pending', '2026-01-01 00:00:00')`,
        versionId,
        f.functionId,
        head.commit_oid,
        tree,
      )
      tamperSql(
        f.dataDir,
        `INSERT INTO operations (function_id, kind, payload, created_at) VALUES (?, 'create-version', ?, '2026-01-01 00:00:00')`,
        f.functionId,
        JSON.stringify({ versionId, number: 4, commit: head.commit_oid }),
      )
      await git(f.gitdir, 'update-ref', 'refs/tags/v4', v1!.tag_oid)
    })
    t.same(kinds(found.problems), ['unsettled-operation'])
    t.match(found.problems[0]!.found, /create-version/)
    t.same(kinds(repaired.repaired), ['unsettled-operation'])
    t.same(after.problems, [])
    t.same(
      versions(f).map((v) => [v.version_number, v.state]),
      [
        [1, 'live'],
        [2, 'live'],
        [3, 'deleted'],
        [4, 'deleted'],
      ],
    )
    t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2')
  },
)

t.test('a repository with no function row is named and left alone', async (t) => {
  const { f, found, repaired, after } = await tamperAndRepair(t, (f) => {
    mkdirSync(join(f.dataDir, 'repos', `${randomUUID()}.git`, 'objects'), { recursive: true })
  })
  t.same(kinds(found.problems), ['repo-without-function'])
  t.same(refusedKinds(repaired), ['repo-without-function'])
  t.same(kinds(after.problems), ['repo-without-function'])
  void f
})

t.test("fsck over an open engine's deps sees what the engine does", async (t) => {
  const f = await buildFixture(t.testdir())
  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  t.same((await fsck(engine.deps)).problems, [])
  await git(f.gitdir, 'update-ref', '-d', 'refs/tags/v1')
  t.same(kinds((await fsck(engine.deps)).problems), ['tag-missing v1'])
})

t.test('refs an operator packed with git pack-refs read the same, and deletes still stick', async (t) => {
  const f = await buildFixture(t.testdir())
  await git(f.gitdir, 'pack-refs', '--all')
  t.same((await fsck(f.dataDir)).problems, [])
  const engine = await openEngine({ dataDir: f.dataDir })
  t.teardown(() => engine.close())
  await engine.deleteVersion(ADMIN, f.functionId, 1)
  t.equal(await git(f.gitdir, 'tag', '--list'), 'v2')
  t.same((await fsck(engine.deps)).problems, [])
})

t.test(
  'a store restored from a database backup older than its repositories is repaired to what the database says',
  async (t) => {
    const f = await buildFixture(t.testdir())
    const backup = join(f.dataDir, 'tagstone.db.backup')
    await openEngine({ dataDir: f.dataDir }).then((engine) => {
      engine.deps.db.prepare('VACUUM INTO ?').run(backup)
      return engine
        .updateFunction(ADMIN, f.functionId, { fields: {}, package: packageZip(4) })
        .then(() => engine.createVersion(ADMIN, f.functionId, { description: 'after the backup' }))
        .then(() => engine.deleteVersion(ADMIN, f.functionId, 1))
        .finally(() => engine.close())
    })
    // Restore: the database from the backup, the repositories as they are now (copied later).
    for (const suffix of ['-wal', '-shm']) rmSync(join(f.dataDir, `tagstone.db${suffix}`), { force: true })
    writeFileSync(join(f.dataDir, 'tagstone.db'), readFileSync(backup))

    const found = await fsck(f.dataDir)
    t.same(kinds(found.problems), ['archive-ref-without-package', 'main-moved', 'tag-missing v1', 'tag-without-row v4'])
    const repaired = await fsck(f.dataDir, { repair: true })
    t.same(repaired.refused, [])
    t.same(repaired.remaining, [])
    t.equal(await git(f.gitdir, 'tag', '--list'), 'v1\nv2', 'v1 is back (the backup says it exists), v4 is gone')
    t.same(
      querySql(f.dataDir, `SELECT version_counter FROM functions`),
      [{ version_counter: 4 }],
      'number 4 stays used: clients may have seen it',
    )
    const engine = await openEngine({ dataDir: f.dataDir })
    t.teardown(() => engine.close())
    await engine.updateFunction(ADMIN, f.functionId, { fields: {}, package: packageZip(5) })
    t.equal((await engine.createVersion(ADMIN, f.functionId, {})).version_number, 5)
  },
)
