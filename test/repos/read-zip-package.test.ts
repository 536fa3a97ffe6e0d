import { randomBytes } from 'node:crypto'

import t from 'tap'

import { RepoError } from '../../repos/errors.js'
import { checkPath, readZipPackage, type UnpackLimits } from '../../repos/read-zip-package.js'
import { makeZip } from '../helpers/zip.js'
import { badCrc, badDeflate, lyingSize, madeOnDos, restamp, withComment } from '../helpers/zip-variants.js'

const LIMITS: UnpackLimits = { maxEntries: 100, maxUnpackedBytes: 1024 * 1024 }

/** The error code a zip is refused with, or 'ok'. */
async function refusal(zip: Buffer, limits = LIMITS): Promise<string> {
  try {
    await readZipPackage(zip, limits)
    return 'ok'
  } catch (err) {
    return err instanceof RepoError ? err.code : `not a RepoError: ${String(err)}`
  }
}

t.test('files come out with their paths, bytes and kinds', async (t) => {
  const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13])
  const files = await readZipPackage(
    makeZip([
      { name: 'main.py', content: 'print(1)\n' },
      { name: 'lib/', content: '' },
      { name: 'lib/util.py', content: 'x = 1\n', stored: true },
      { name: 'bin/run.sh', content: '#!/bin/sh\n', mode: 0o100755 },
      { name: 'link', content: 'lib/util.py', mode: 0o120777 },
      { name: 'data.bin', content: binary },
      { name: 'ünïcode/名前.txt', content: 'utf8 names' },
    ]),
    LIMITS,
  )
  const byPath = new Map(files.map((f) => [f.path, f]))
  t.same(
    [...byPath.keys()].sort(),
    ['bin/run.sh', 'data.bin', 'lib/util.py', 'link', 'main.py', 'ünïcode/名前.txt'],
    'directory entries are not files',
  )
  t.equal(byPath.get('main.py')?.kind, 'file')
  t.equal(byPath.get('main.py')?.content.toString(), 'print(1)\n')
  t.equal(byPath.get('lib/util.py')?.content.toString(), 'x = 1\n', 'stored entries read as well as deflated ones')
  t.equal(byPath.get('bin/run.sh')?.kind, 'executable', 'the executable bit is kept')
  t.equal(byPath.get('link')?.kind, 'symlink', 'a symlink stays a symlink')
  t.equal(byPath.get('link')?.content.toString(), 'lib/util.py', 'with its target as content')
  t.same(byPath.get('data.bin')?.content, binary, 'binary content byte for byte')
})

t.test('any execute bit makes an executable; group or other alone too', async (t) => {
  const files = await readZipPackage(
    makeZip([
      { name: 'a', content: 'a', mode: 0o100744 },
      { name: 'b', content: 'b', mode: 0o100710 },
      { name: 'c', content: 'c', mode: 0o100601 },
      { name: 'd', content: 'd', mode: 0o100666 },
    ]),
    LIMITS,
  )
  t.same(Object.fromEntries(files.map((f) => [f.path, f.kind])), {
    a: 'executable',
    b: 'executable',
    c: 'executable',
    d: 'file',
  })
})

t.test('a zip made on Windows carries no Unix mode: everything is a plain file', async (t) => {
  const files = await readZipPackage(
    madeOnDos(
      makeZip([
        { name: 'run.sh', content: 'x', mode: 0o100755 },
        { name: 'link', content: 't', mode: 0o120777 },
      ]),
    ),
    LIMITS,
  )
  t.same(
    files.map((f) => f.kind),
    ['file', 'file'],
  )
})

t.test('an empty zip is a package with no files', async (t) => {
  t.same(await readZipPackage(makeZip([]), LIMITS), [])
  t.same(
    await readZipPackage(makeZip([{ name: 'empty/', content: '' }]), LIMITS),
    [],
    'an empty directory is nothing to git',
  )
})

t.test('other bytes for the same files unpack the same', async (t) => {
  const zip = makeZip([
    { name: 'main.py', content: 'x' },
    { name: 'run', content: 'y', mode: 0o100755 },
  ])
  const base = await readZipPackage(zip, LIMITS)
  t.same(await readZipPackage(restamp(zip, new Date('2030-01-02T03:04:06Z')), LIMITS), base, 'other timestamps')
  t.same(await readZipPackage(withComment(zip, 'rezipped'), LIMITS), base, 'an archive comment')
})

t.test('unsafe names are refused', async (t) => {
  const names = [
    '../x',
    'a/../../x',
    'a/..',
    '/abs',
    '/etc/passwd',
    'C:/windows',
    'c:x',
    '..\\x',
    '.git\\config',
    '.git/config',
    '.git/hooks/post-checkout',
    'sub/.git/x',
    '.GIT/x',
    'sub/.Git/config',
    './a',
    'a/./b',
    'a//b',
    'a\0b',
  ]
  for (const name of names) {
    t.equal(
      await refusal(
        makeZip([
          { name: 'ok.txt', content: 'fine' },
          { name, content: 'evil' },
        ]),
      ),
      'PACKAGE_UNSAFE_PATH',
      JSON.stringify(name),
    )
  }
  t.equal(
    await refusal(makeZip([{ name: '.git/', content: '' }])),
    'PACKAGE_UNSAFE_PATH',
    'a bare .git directory entry',
  )
})

t.test('names git itself treats as .git (NTFS and HFS+ spellings) are refused', async (t) => {
  // `git fsck --strict` calls each of these hasDotgit, and clients refuse to check them out.
  for (const name of [
    '.git./x',
    '.git /x',
    '.git. . /x',
    'GIT~1/x',
    'git~1',
    '.git::$INDEX_ALLOCATION/x',
    '.g\u200cit/x',
    '.\u200dgit/config',
    '\ufeff.git/x',
  ]) {
    t.equal(await refusal(makeZip([{ name, content: 'evil' }])), 'PACKAGE_UNSAFE_PATH', JSON.stringify(name))
  }
  for (const name of ['.gitignore', '.github/workflows/x.yml', '.gitx', 'git~2', 'my.git/x', 'a.git', '.git.x']) {
    t.equal(await refusal(makeZip([{ name, content: 'fine' }])), 'ok', `${JSON.stringify(name)} is an ordinary name`)
  }
})

t.test('backslashes, as old Windows tools write them, are read as slashes', async (t) => {
  const files = await readZipPackage(makeZip([{ name: 'lib\\util.py', content: 'x' }]), LIMITS)
  t.same(
    files.map((f) => f.path),
    ['lib/util.py'],
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'lib\\a', content: '1' },
        { name: 'lib/a', content: '2' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
    'and then collide with the slashed name',
  )
})

t.test('checkPath returns the name, or the error naming the entry', async (t) => {
  t.equal(checkPath('a/b/c.py'), 'a/b/c.py')
  t.equal(checkPath('.gitignore'), '.gitignore')
  const refused = checkPath('../x')
  t.ok(refused instanceof RepoError)
  t.match((refused as RepoError).message, /'\.\.\/x'/, 'the message names the entry')
  t.equal(checkPath('') instanceof RepoError, true, 'an empty name')
})

t.test('a name twice is refused, as file and file or as file and directory', async (t) => {
  t.equal(
    await refusal(
      makeZip([
        { name: 'a.py', content: '1' },
        { name: 'a.py', content: '2' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'a', content: '1' },
        { name: 'a/', content: '' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
    'file then directory entry',
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'a/', content: '' },
        { name: 'a', content: '1' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
    'directory entry then file',
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'a', content: '1' },
        { name: 'a/b', content: '2' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
    'a file where a directory must be',
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'a/b', content: '2' },
        { name: 'a', content: '1' },
      ]),
    ),
    'PACKAGE_DUPLICATE_ENTRY',
    'a directory where a file must be',
  )
  t.equal(
    await refusal(
      makeZip([
        { name: 'a/', content: '' },
        { name: 'a/', content: '' },
        { name: 'a/b', content: '1' },
      ]),
    ),
    'ok',
    'a directory entry twice is harmless',
  )
})

t.test('what is not a zip, or a broken one, is refused with its own code', async (t) => {
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n    return "hello"\n'.repeat(20) }])
  t.equal(await refusal(Buffer.from('just some text, no zip at all')), 'PACKAGE_NOT_ZIP')
  t.equal(await refusal(Buffer.alloc(0)), 'PACKAGE_NOT_ZIP', 'no bytes')
  t.equal(await refusal(zip.subarray(0, zip.length - 10)), 'PACKAGE_NOT_ZIP', 'truncated end record')
  t.equal(await refusal(zip.subarray(0, 40)), 'PACKAGE_NOT_ZIP', 'only the start of a zip')
  t.equal(await refusal(badDeflate(zip)), 'PACKAGE_CORRUPT', 'compressed data that does not inflate')
  t.equal(await refusal(badCrc(zip)), 'PACKAGE_CORRUPT', 'data that does not match its CRC-32')
  t.equal(
    await refusal(badCrc(makeZip([{ name: 'x', content: 'stored bytes', stored: true }]))),
    'PACKAGE_CORRUPT',
    'a stored entry with a wrong CRC-32',
  )
  t.equal(await refusal(lyingSize(zip, -1)), 'PACKAGE_CORRUPT', 'an entry that inflates to more than it announces')
  t.equal(await refusal(lyingSize(zip, 1)), 'PACKAGE_CORRUPT', 'and one that inflates to less')
})

t.test('an entry too big to inflate at once is inflated on the thread pool, whole', async (t) => {
  // Random bytes do not compress: over 1 MiB of compressed data.
  const content = randomBytes(1024 * 1024 + 4096)
  const zip = makeZip([
    { name: 'big.bin', content },
    { name: 'small.txt', content: 'beside it' },
  ])
  const files = await readZipPackage(zip, { maxEntries: 10, maxUnpackedBytes: 10 * 1024 * 1024 })
  t.ok(files.find((f) => f.path === 'big.bin')?.content.equals(content), 'the big entry, byte for byte')
  t.equal(files.find((f) => f.path === 'small.txt')?.content.toString(), 'beside it')
})

t.test('limits on entries and unpacked bytes', async (t) => {
  const three = makeZip([
    { name: 'a', content: '1' },
    { name: 'b', content: '2' },
    { name: 'c', content: '3' },
  ])
  t.equal(await refusal(three, { maxEntries: 3, maxUnpackedBytes: 100 }), 'ok', 'at the entry limit')
  t.equal(await refusal(three, { maxEntries: 2, maxUnpackedBytes: 100 }), 'PACKAGE_TOO_MANY_ENTRIES')
  const big = makeZip([{ name: 'zeros', content: Buffer.alloc(100_000) }])
  t.ok(big.length < 1000, 'a zip bomb in miniature: small archive, large content')
  t.equal(await refusal(big, { maxEntries: 10, maxUnpackedBytes: 100_000 }), 'ok', 'at the unpacked limit')
  t.equal(await refusal(big, { maxEntries: 10, maxUnpackedBytes: 99_999 }), 'PACKAGE_UNPACKED_TOO_LARGE')
  t.equal(
    await refusal(
      makeZip([
        { name: 'a', content: Buffer.alloc(600) },
        { name: 'b', content: Buffer.alloc(600) },
      ]),
      { maxEntries: 10, maxUnpackedBytes: 1000 },
    ),
    'PACKAGE_UNPACKED_TOO_LARGE',
    'the sum over entries counts',
  )
})
