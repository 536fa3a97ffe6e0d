import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { durableSyncStats } from '../../../repos/durable-fs.js'
import { hashObject } from '../../../repos/git/loose-objects.js'
import { formatTree } from '../../../repos/git/object-formats.js'
import { ObjectWriter } from '../../../repos/git/object-writer.js'
import { RepoStore } from '../../../repos/repo-store.js'
import { git } from '../../helpers/git.js'

async function bareRepo(dir: string): Promise<string> {
  const store = new RepoStore(dir)
  await store.prepare()
  return store.create('0b7c4c6e-5b59-4f3a-9d4e-0a0a0a0a0a0a')
}

const blobs = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`file ${i}\n`))

t.test('add gives ids at once; after flush every object is there for git, each file written once', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const writer = new ObjectWriter(gitdir)
  const before = durableSyncStats()
  // More blobs than are written at once, one of them twice, and a tree naming them before any is on disk.
  const contents = [...blobs(40), Buffer.from('file 0\n')]
  const ids = contents.map((c) => writer.add('blob', c))
  const tree = writer.add(
    'tree',
    formatTree(ids.slice(0, 40).map((oid, i) => ({ mode: '100644', name: `f${i}`, oid }))),
  )
  await writer.flush()
  const after = durableSyncStats()

  t.equal(ids[40], ids[0], 'the same content, the same id')
  t.same(
    ids.slice(0, 3),
    contents.slice(0, 3).map((c) => hashObject('blob', c).oid),
  )
  t.equal(after.files - before.files, 41, 'one fsynced file per distinct object (40 blobs and a tree)')
  const fanOuts = new Set([...ids, tree].map((oid) => oid.slice(0, 2))).size
  t.equal(
    after.directories - before.directories,
    fanOuts + 1,
    'each new fan-out folder synced once, and objects/ once for all of them',
  )
  const listed = (await git(gitdir, 'ls-tree', '-r', tree)).trim().split('\n')
  t.equal(listed.length, 40, 'git reads the tree')
  t.equal(await git(gitdir, 'cat-file', '-p', ids[39]!), 'file 39', 'and the blobs')
  t.equal((await git(gitdir, 'fsck', '--full', '--no-dangling')).trim(), '', 'git fsck finds nothing wrong')
})

t.test('a write that fails is reported by flush, after the others are written', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const good = Buffer.from('good\n')
  const bad = [0, 1, 2, 3, 4, 5]
    .map((i) => Buffer.from(`bad ${i}\n`))
    .find((c) => hashObject('blob', c).oid.slice(0, 2) !== hashObject('blob', good).oid.slice(0, 2))!
  // A file where the bad object's fan-out folder would go: its write cannot succeed.
  mkdirSync(join(gitdir, 'objects'), { recursive: true })
  writeFileSync(join(gitdir, 'objects', hashObject('blob', bad).oid.slice(0, 2)), 'in the way')

  const writer = new ObjectWriter(gitdir)
  const badId = writer.add('blob', bad)
  const goodId = writer.add('blob', good)
  // Nothing is unhandled while the caller has not flushed yet (tap fails a test on an unhandled rejection).
  await new Promise((resolve) => setTimeout(resolve, 50))
  await t.rejects(writer.flush(), { code: 'ENOTDIR' })
  t.equal(await git(gitdir, 'cat-file', '-t', goodId), 'blob', 'the other object was written')
  t.notOk(
    readdirSync(join(gitdir, 'objects')).some((name) => name.startsWith('tmp_obj_')),
    'no temporary file is left',
  )
  t.not(badId, goodId)
})
