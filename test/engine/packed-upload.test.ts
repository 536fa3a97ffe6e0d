import { readdirSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { fsck } from '../../engine/admin/fsck.js'
import { openEngine } from '../../engine/engine.js'
import { listLooseObjects, repack } from '../../repos/pack/repack.js'
import { PACK_FROM_FILES } from '../../repos/write-package-commit.js'
import { git } from '../helpers/git.js'
import { makeZip } from '../helpers/zip.js'
import { ADMIN } from './admin/fixture.js'

/** A package of `count` files in a few folders; `n` changes every file's content. */
const bigPackage = (count: number, n: number) =>
  makeZip(Array.from({ length: count }, (_, i) => ({ name: `lib${i % 5}/m${i}.py`, content: `X = ${n * 1000 + i}\n` })))

/**
 * Uploads of many files are written as packs (repos/pack/packed-object-writer.ts): everything the
 * engine and git read of them must work as it does on loose objects, and packing the repository
 * later must fold them in.
 */
t.test('an upload of many files is a pack; reads, versions, fsck and gc work on it', async (t) => {
  const engine = await openEngine({ dataDir: t.testdir() })
  t.teardown(() => engine.close())
  const first = bigPackage(PACK_FROM_FILES * 2, 1)
  const fn = await engine.createFunction(ADMIN, {
    fields: { name: 'big', runtime_id: 'python3', entry: 'lib0.m0.main' },
    code: JSON.stringify({ source: 'package' }),
    package: first,
  })
  await engine.createVersion(ADMIN, fn.id, { description: 'one' })
  const second = bigPackage(PACK_FROM_FILES * 2, 2)
  await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: second })
  await engine.createVersion(ADMIN, fn.id, { description: 'two' })

  const gitdir = engine.deps.repos.gitdir(fn.id)
  const packs = () => readdirSync(join(gitdir, 'objects', 'pack')).filter((name) => name.endsWith('.pack'))
  t.equal(packs().length, 2, 'one pack per upload')
  t.same(
    (await listLooseObjects(gitdir)).length,
    2,
    'loose: only the two version tags (the tag objects are written alone)',
  )
  t.ok((await engine.downloadVersion(ADMIN, fn.id, 1)).bytes.equals(first), 'version 1 downloads byte for byte')
  t.ok((await engine.downloadFunction(ADMIN, fn.id)).bytes.equals(second), 'and the current package')
  const { diff } = await engine.diffVersions(ADMIN, fn.id, '1', '2')
  t.equal(diff.stats.files_changed, PACK_FROM_FILES * 2, 'a diff reads both trees')
  t.same((await fsck(engine.deps)).problems, [], "tagstone's fsck finds nothing wrong")
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '', "nor does git's")

  const packed = await repack(gitdir, { all: true })
  t.equal(packed.status, 'packed')
  t.equal(packs().length, 1, 'gc folds the upload packs into one')
  t.ok((await engine.downloadVersion(ADMIN, fn.id, 1)).bytes.equals(first), 'version 1 still downloads byte for byte')
  t.same((await fsck(engine.deps)).problems, [])
})
