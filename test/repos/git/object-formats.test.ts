import { join } from 'node:path'

import t from 'tap'

import { hashObject } from '../../../repos/git/loose-objects.js'
import { formatCommit, formatTag, formatTree, parseHeaders, type TreeEntry } from '../../../repos/git/object-formats.js'
import { ObjectWriter } from '../../../repos/git/object-writer.js'
import { RepoStore } from '../../../repos/repo-store.js'
import { git, gitBytes } from '../../helpers/git.js'

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'
const sig = (time: number) => ({ name: 'tagstone', email: 'tagstone@localhost', time })

async function bareRepo(dir: string): Promise<string> {
  const store = new RepoStore(dir)
  await store.prepare()
  return store.create('0b7c4c6e-5b59-4f3a-9d4e-0a0a0a0a0a0a')
}

t.test('blob and tree ids are the ones git computes', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const writer = new ObjectWriter(gitdir)
  const content = Buffer.from('hello\n')
  const blob = await writer.write('blob', content)
  t.equal(blob, (await gitBytes(gitdir, ['hash-object', '--stdin'], content)).toString().trim(), 'a blob id')
  t.equal(hashObject('tree', formatTree([])).oid, EMPTY_TREE, 'the empty tree')

  // Names chosen so that bytewise order, and "a directory sorts as name/", both matter.
  const sub = await writer.write('tree', formatTree([{ mode: '100644', name: 'inner', oid: blob }]))
  const entries: TreeEntry[] = [
    { mode: '100644', name: 'a0', oid: blob },
    { mode: '40000', name: 'a', oid: sub },
    { mode: '100644', name: 'a.b', oid: blob },
    { mode: '100755', name: 'a-b', oid: blob },
    { mode: '120000', name: 'Z', oid: blob },
    { mode: '100644', name: 'é', oid: blob },
    { mode: '40000', name: 'a.', oid: sub },
  ]
  const ours = await writer.write('tree', formatTree(entries))
  await writer.flush()
  const mktreeInput =
    entries
      .map(
        (e) => `${e.mode === '40000' ? '040000' : e.mode} ${e.mode === '40000' ? 'tree' : 'blob'} ${e.oid}\t${e.name}`,
      )
      .join('\n') + '\n'
  const theirs = (await gitBytes(gitdir, ['mktree'], Buffer.from(mktreeInput))).toString().trim()
  t.equal(ours, theirs, 'the same tree as git mktree makes, so entries are in git order')
  t.same(formatTree(entries), formatTree([...entries].reverse()), 'the order given does not matter')
  t.equal(await git(gitdir, 'cat-file', '-t', ours), 'tree')
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '', 'git fsck --strict finds nothing wrong')
})

t.test('commits read back by git as written', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const writer = new ObjectWriter(gitdir)
  const tree = await writer.write('tree', formatTree([]))
  const first = await writer.write(
    'commit',
    formatCommit({ tree, parents: [], author: sig(1_700_000_000), message: 'Upload package abc' }),
  )
  const second = await writer.write(
    'commit',
    formatCommit({ tree, parents: [first], author: sig(1_700_000_060), message: 'Second\n\nbody line\n' }),
  )
  const merge = await writer.write(
    'commit',
    formatCommit({ tree, parents: [first, second], author: sig(1_700_000_120), message: '' }),
  )
  await writer.flush()

  t.equal(
    await git(gitdir, 'show', '-s', '--format=%T|%P|%an|%ae|%at|%cn|%ct|%s', first),
    `${tree}||tagstone|tagstone@localhost|1700000000|tagstone|1700000000|Upload package abc`,
  )
  t.equal(await git(gitdir, 'show', '-s', '--format=%P', second), first, 'the parent')
  t.equal(await git(gitdir, 'show', '-s', '--format=%P', merge), `${first} ${second}`, 'parents in order')
  t.equal(
    await git(gitdir, 'show', '-s', '--format=%ad', '--date=iso-strict', first),
    '2023-11-14T22:13:20+00:00',
    'dates are UTC',
  )
  const raw = (await gitBytes(gitdir, ['cat-file', 'commit', first])).toString()
  t.ok(raw.endsWith('\n\nUpload package abc\n'), 'a message gets the final newline git expects')
  const rawSecond = (await gitBytes(gitdir, ['cat-file', 'commit', second])).toString()
  t.ok(rawSecond.endsWith('\n\nSecond\n\nbody line\n'), 'a message that has one keeps exactly one')
  const rawMerge = (await gitBytes(gitdir, ['cat-file', 'commit', merge])).toString()
  t.ok(rawMerge.endsWith('+0000\n\n'), 'an empty message stays empty')
  await git(gitdir, 'update-ref', 'refs/heads/main', merge)
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '', 'git fsck --strict finds nothing wrong')
})

t.test('annotated tags read back by git as written', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  const writer = new ObjectWriter(gitdir)
  const tree = await writer.write('tree', formatTree([]))
  const commit = await writer.write(
    'commit',
    formatCommit({ tree, parents: [], author: sig(1_700_000_000), message: 'x' }),
  )
  const tag = await writer.write(
    'tag',
    formatTag({ object: commit, type: 'commit', name: 'v1', tagger: sig(1_700_000_500), message: 'first release' }),
  )
  const bare = await writer.write(
    'tag',
    formatTag({ object: commit, type: 'commit', name: 'v2', tagger: sig(1_700_000_501), message: '' }),
  )
  await writer.flush()
  await git(gitdir, 'update-ref', 'refs/tags/v1', tag)
  await git(gitdir, 'update-ref', 'refs/tags/v2', bare)
  t.equal(await git(gitdir, 'cat-file', '-t', 'v1'), 'tag')
  t.equal(await git(gitdir, 'rev-parse', 'v1^{commit}'), commit, 'the tag points at the commit')
  t.equal(
    await git(
      gitdir,
      'for-each-ref',
      '--format=%(refname:short)|%(taggername)|%(taggeremail)|%(taggerdate:unix)|%(contents)',
      'refs/tags/v1',
    ),
    'v1|tagstone|<tagstone@localhost>|1700000500|first release\n',
  )
  t.equal(
    await git(gitdir, 'for-each-ref', '--format=%(contents)', 'refs/tags/v2'),
    '',
    'an empty description makes an empty message',
  )
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling'), '', 'git fsck --strict finds nothing wrong')
})

t.test('parseHeaders reads back what the formatters write', async (t) => {
  const parents = ['a'.repeat(40), 'b'.repeat(40)]
  const commit = parseHeaders(
    formatCommit({ tree: 'c'.repeat(40), parents, author: sig(5), message: 'subject\n\nbody' }),
  )
  t.same(commit.headers.get('tree'), ['c'.repeat(40)])
  t.same(commit.headers.get('parent'), parents, 'every value of a repeated header, in order')
  t.equal(commit.message, 'subject\n\nbody\n')
  const tag = parseHeaders(
    formatTag({ object: 'd'.repeat(40), type: 'commit', name: 'v7', tagger: sig(9), message: 'seven' }),
  )
  t.same(tag.headers.get('object'), ['d'.repeat(40)])
  t.same(tag.headers.get('tag'), ['v7'])
  t.same(tag.headers.get('tagger'), ['tagstone <tagstone@localhost> 9 +0000'])
  t.equal(tag.message, 'seven\n')

  const signed = Buffer.from(
    `tree ${'e'.repeat(40)}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\nauthor x <y> 1 +0000\n\nmsg\n`,
  )
  const parsed = parseHeaders(signed)
  t.same(parsed.headers.get('author'), ['x <y> 1 +0000'], 'continuation lines of a multi-line header are skipped')
  t.equal(parsed.headers.has(''), false, 'and never read as a header of their own')
  t.equal(parseHeaders(Buffer.from(`tree ${'f'.repeat(40)}\n`)).message, '', 'no blank line: no message')
})

t.test('a repository built by RepoStore is one git accepts', async (t) => {
  const gitdir = await bareRepo(t.testdir())
  t.equal(await git(gitdir, 'rev-parse', '--is-bare-repository'), 'true')
  t.equal(await git(gitdir, 'symbolic-ref', 'HEAD'), 'refs/heads/main', 'HEAD names main')
  t.equal(join(gitdir, '..').endsWith('repos'), true, 'it lives under repos/')
})
