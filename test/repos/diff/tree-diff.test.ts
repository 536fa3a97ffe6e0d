import t from 'tap'

import { diffChange, isBinary, MAX_TEXT_BYTES, quotePath } from '../../../repos/diff/file-diff.js'
import { diffTrees } from '../../../repos/diff/tree-diff.js'
import type { PackageFile } from '../../../repos/package-files.js'
import { readObject } from '../../../repos/read-object.js'
import { RepoStore } from '../../../repos/repo-store.js'
import { writePackageCommit } from '../../../repos/write-package-commit.js'

/** 20 directories of 10 subdirectories of 10 files: 2,000 files, 221 trees. */
function bigPackage(changed: string): PackageFile[] {
  const files: PackageFile[] = []
  for (let d = 0; d < 20; d++)
    for (let s = 0; s < 10; s++)
      for (let f = 0; f < 10; f++) {
        const path = `d${d}/s${s}/f${f}.txt`
        files.push({ path, kind: 'file', content: Buffer.from(path === changed ? 'changed\n' : `${path}\n`) })
      }
  return files
}

t.test('two big trees that differ in one file: only the trees on its path are read', async (t) => {
  const store = new RepoStore(t.testdir())
  await store.prepare()
  const gitdir = await store.create('6f1d2b7a-93a4-4c55-8a0e-4f0e3c2b1a00')
  const write = (changed: string) =>
    writePackageCommit(gitdir, {
      files: bigPackage(changed),
      archive: Buffer.from('zip'),
      parent: null,
      message: 'm',
      time: 0,
    })
  const [a, b] = [await write(''), await write('d7/s3/f5.txt')]
  const trees: string[] = []
  const read = async (oid: string) => {
    const obj = await readObject(gitdir, oid)
    if (obj.type === 'tree') trees.push(oid)
    return obj
  }
  const changes = await diffTrees(read, a.tree, b.tree)
  t.same(
    changes.map((c) => [c.path, c.oldMode, c.newMode]),
    [['d7/s3/f5.txt', '100644', '100644']],
  )
  t.equal(trees.length, 6, 'the two roots, the two d7 trees and the two d7/s3 trees, of 442')
  t.same(await diffTrees(read, a.tree, a.tree), [], 'a tree equals itself without a read')
})

t.test('binary detection and path quoting as git does them', async (t) => {
  t.equal(isBinary(Buffer.from('text\n')), false)
  t.equal(isBinary(Buffer.concat([Buffer.alloc(7999, 'a'), Buffer.from([0])])), true, 'a NUL at byte 8,000')
  t.equal(isBinary(Buffer.concat([Buffer.alloc(8000, 'a'), Buffer.from([0])])), false, 'a NUL past the first 8,000')
  t.equal(isBinary(Buffer.alloc(MAX_TEXT_BYTES + 1, 'a')), true, 'over 1 MiB')
  t.equal(quotePath('plain/name.txt'), 'plain/name.txt')
  t.equal(quotePath('tab\there "q" \\'), '"tab\\there \\"q\\" \\\\"')
  t.equal(quotePath('é'), '"\\303\\251"')
})

t.test('a binary file added: counted as binary, patched as git says', async (t) => {
  const blob = { type: 'blob' as const, content: Buffer.from([1, 0, 2]) }
  const { file, patch } = await diffChange(async () => blob, {
    path: 'b.bin',
    oldMode: null,
    newMode: '100644',
    oldOid: null,
    newOid: 'x',
  })
  t.match(file, { status: 'added', binary: true, additions: null, deletions: null })
  t.match(patch.toString(), /new file mode 100644\nBinary files \/dev\/null and b\/b\.bin differ\n$/)
})
