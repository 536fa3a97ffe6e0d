import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'

import t from 'tap'

import { durableSyncStats } from '../../repos/durable-fs.js'
import { listLooseObjects } from '../../repos/pack/repack.js'
import type { PackageFile } from '../../repos/package-files.js'
import { RepoStore } from '../../repos/repo-store.js'
import { PACK_FROM_FILES, writePackageCommit } from '../../repos/write-package-commit.js'
import { git, gitBytes, lsTree } from '../helpers/git.js'
import { liveProcess } from '../helpers/live-process.js'

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

async function bareRepo(dir: string): Promise<string> {
  const store = new RepoStore(dir)
  await store.prepare()
  return store.create('6f1d2b7a-93a4-4c55-8a0e-4f0e3c2b1a00')
}

const PACKAGE: PackageFile[] = [
  { path: 'main.py', kind: 'file', content: Buffer.from('def main():\n    return 1\n') },
  { path: 'bin/run', kind: 'executable', content: Buffer.from('#!/bin/sh\necho hi\n') },
  { path: 'lib/a/deep/x.txt', kind: 'file', content: Buffer.from('deep') },
  { path: 'lib/a.txt', kind: 'file', content: Buffer.from('beside the a/ directory') },
  { path: 'lib/b', kind: 'symlink', content: Buffer.from('a/deep/x.txt') },
  { path: 'empty', kind: 'file', content: Buffer.alloc(0) },
]

/** The tree git itself makes of the same files checked out in a work tree. */
async function treeGitWouldMake(gitdir: string, workTree: string, files: PackageFile[]): Promise<string> {
  for (const f of files) {
    const path = join(workTree, f.path)
    await mkdir(dirname(path), { recursive: true })
    if (f.kind === 'symlink') await symlink(f.content.toString(), path)
    else {
      await writeFile(path, f.content)
      await chmod(path, f.kind === 'executable' ? 0o755 : 0o644)
    }
  }
  const index = join(workTree, '..', 'index')
  const env = ['-c', 'core.filemode=true', '-c', 'core.symlinks=true', `--work-tree=${workTree}`]
  await gitBytes(gitdir, [...env, 'add', '-A', '.'], undefined, { GIT_INDEX_FILE: index })
  return (await gitBytes(gitdir, [...env, 'write-tree'], undefined, { GIT_INDEX_FILE: index })).toString().trim()
}

t.test('the commit holds the package as git would, and the archive beside it', async (t) => {
  const dir = t.testdir({ work: {} })
  const gitdir = await bareRepo(dir)
  const archive = Buffer.from('PK\u0003\u0004 pretend these are the uploaded zip bytes')
  const written = await writePackageCommit(gitdir, {
    files: PACKAGE,
    archive,
    parent: null,
    message: 'Upload package x',
    time: 1_700_000_000,
  })

  t.equal(
    written.tree,
    await treeGitWouldMake(gitdir, join(dir, 'work'), PACKAGE),
    'the same tree as git add + write-tree of the files',
  )
  t.equal(await git(gitdir, 'rev-parse', `${written.commit}^{tree}`), written.tree, 'the commit names the tree')
  t.equal(
    await git(gitdir, 'show', '-s', '--format=%P|%at|%s', written.commit),
    '|1700000000|Upload package x',
    'a root commit, dated as asked',
  )

  const entries = await lsTree(gitdir, written.tree)
  t.same(
    Object.fromEntries([...entries].map(([path, e]) => [path, e.mode])),
    {
      'bin/run': '100755',
      empty: '100644',
      'lib/a.txt': '100644',
      'lib/a/deep/x.txt': '100644',
      'lib/b': '120000',
      'main.py': '100644',
    },
    'paths and modes: executable bit and symlink kept',
  )
  for (const f of PACKAGE) {
    t.same(await gitBytes(gitdir, ['cat-file', 'blob', entries.get(f.path)!.oid]), f.content, `${f.path} byte for byte`)
  }
  t.same(await gitBytes(gitdir, ['cat-file', 'blob', written.archiveBlob]), archive, 'the archive blob is the archive')
  t.equal(await git(gitdir, 'for-each-ref'), '', 'no ref moved: the objects are unreachable until published')
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '', 'git fsck --strict finds nothing wrong')
})

t.test('a second upload has the first as parent', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const first = await writePackageCommit(gitdir, {
    files: PACKAGE,
    archive: Buffer.from('one'),
    parent: null,
    message: 'one',
    time: 1,
  })
  const changed = PACKAGE.map((f) =>
    f.path === 'main.py' ? { ...f, content: Buffer.from('def main():\n    return 2\n') } : f,
  )
  const second = await writePackageCommit(gitdir, {
    files: changed,
    archive: Buffer.from('two'),
    parent: first.commit,
    message: 'two',
    time: 2,
  })
  t.equal(await git(gitdir, 'show', '-s', '--format=%P', second.commit), first.commit)
  t.not(second.tree, first.tree)
  t.equal(
    await git(gitdir, 'diff-tree', '-r', '--name-only', first.commit, second.commit),
    'main.py',
    'only the changed file differs',
  )
})

t.test('content addressed: same files, same tree, whatever their order', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const a = await writePackageCommit(gitdir, {
    files: PACKAGE,
    archive: Buffer.from('a'),
    parent: null,
    message: 'm',
    time: 7,
  })
  const b = await writePackageCommit(gitdir, {
    files: [...PACKAGE].reverse(),
    archive: Buffer.from('b'),
    parent: null,
    message: 'm',
    time: 7,
  })
  t.equal(b.tree, a.tree, 'the same tree')
  t.not(b.archiveBlob, a.archiveBlob, 'other archive bytes, another archive blob')
  const c = await writePackageCommit(gitdir, {
    files: PACKAGE,
    archive: Buffer.from('a'),
    parent: null,
    message: 'm',
    time: 7,
  })
  t.same(c, a, 'writing the very same upload again gives the very same ids')
})

t.test('an empty package is the empty tree', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const written = await writePackageCommit(gitdir, {
    files: [],
    archive: Buffer.from('PK'),
    parent: null,
    message: 'm',
    time: 1,
  })
  t.equal(written.tree, EMPTY_TREE)
  t.equal(await git(gitdir, 'cat-file', '-t', written.commit), 'commit')
})

/** `count` files in 7 x 3 folders, `d<i%7>/s<i%3>/f<i>.txt` holding `file <i>`. */
function manyFiles(count: number): PackageFile[] {
  const files: PackageFile[] = []
  for (let i = 0; i < count; i++)
    files.push({ path: `d${i % 7}/s${i % 3}/f${i}.txt`, kind: 'file', content: Buffer.from(`file ${i}\n`) })
  return files
}

const commitOf = (gitdir: string, files: PackageFile[]) =>
  writePackageCommit(gitdir, { files, archive: Buffer.from('zip'), parent: null, message: 'm', time: 1 })

t.test('many files in many folders, written concurrently, all land', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  // Just below the count from which an upload is written as a pack: loose objects, 16 at a time.
  const written = await commitOf(gitdir, manyFiles(PACK_FROM_FILES - 1))
  const entries = await lsTree(gitdir, written.tree)
  t.equal(entries.size, PACK_FROM_FILES - 1)
  t.equal((await gitBytes(gitdir, ['cat-file', 'blob', entries.get('d4/s2/f53.txt')!.oid])).toString(), 'file 53\n')
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '')
  const leftovers = (await readdir(join(gitdir, 'objects', written.tree.slice(0, 2)))).filter((n) =>
    n.includes('.tmp-'),
  )
  t.same(leftovers, [], 'no temporary files left beside the objects')
})

t.test('a package of many files is written as one pack that git reads and checks', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const before = durableSyncStats()
  const written = await commitOf(gitdir, manyFiles(300))
  const after = durableSyncStats()
  const entries = await lsTree(gitdir, written.tree)
  t.equal(entries.size, 300)
  t.equal((await gitBytes(gitdir, ['cat-file', 'blob', entries.get('d4/s1/f151.txt')!.oid])).toString(), 'file 151\n')
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '')
  const packs = (await readdir(join(gitdir, 'objects', 'pack'))).sort()
  t.equal(packs.length, 2, `one pack and its index: ${packs.join(', ')}`)
  t.match(await git(gitdir, 'verify-pack', '-v', join(gitdir, 'objects', 'pack', packs[0]!)), /ok$/)
  t.same(await listLooseObjects(gitdir), [], 'no loose object')
  t.equal(after.files - before.files, 2, 'two files fsynced, the pack and its index')
})

t.test('while a repack holds the repository, a package of many files is written loose', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  // A live process holds gc.pid, as a repack running beside the upload would.
  await writeFile(join(gitdir, 'gc.pid'), `${liveProcess(t).pid} ${hostname()}`)
  const written = await commitOf(gitdir, manyFiles(100))
  t.equal((await lsTree(gitdir, written.tree)).size, 100)
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '')
  t.same(await readdir(join(gitdir, 'objects', 'pack')), [], 'no pack')
  t.equal((await listLooseObjects(gitdir)).length, 100 + 21 + 7 + 1 + 2, 'blobs, trees, the archive and the commit')
})
