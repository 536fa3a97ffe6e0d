import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { deleteRef, listRefs, packRefs, readRef, writeRef, writeRefs } from '../../../repos/git/refs.js'
import { git } from '../../helpers/git.js'

function bareRepoWithTags(dir: string): { gitdir: string; commit: string } {
  const gitdir = join(dir, 'r.git')
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', gitdir])
  execFileSync('git', [`--git-dir=${gitdir}`, 'hash-object', '-w', '-t', 'tree', '/dev/null'])
  const commit = execFileSync(
    'git',
    [`--git-dir=${gitdir}`, 'commit-tree', '-m', 'c', '4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
    {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'a',
        GIT_AUTHOR_EMAIL: 'a@b',
        GIT_COMMITTER_NAME: 'a',
        GIT_COMMITTER_EMAIL: 'a@b',
      },
    },
  )
    .toString()
    .trim()
  return { gitdir, commit }
}

t.test('deleting a packed ref drops only its lines from packed-refs, peel line included', async (t) => {
  const { gitdir, commit } = bareRepoWithTags(t.testdir())
  await git(gitdir, 'update-ref', 'refs/heads/main', commit)
  for (const name of ['v1', 'v2', 'v3'])
    await git(gitdir, '-c', 'user.name=a', '-c', 'user.email=a@b', 'tag', '-a', '-m', name, name, commit)
  await git(gitdir, 'pack-refs', '--all')
  t.match(readFileSync(join(gitdir, 'packed-refs'), 'utf8'), /\^/, 'annotated tags are packed with peel lines')

  await deleteRef(gitdir, 'refs/tags/v2')
  t.equal(await readRef(gitdir, 'refs/tags/v2'), null)
  t.same([...(await listRefs(gitdir, 'refs/tags/')).keys()].sort(), ['refs/tags/v1', 'refs/tags/v3'])
  t.equal(await git(gitdir, 'tag', '--list'), 'v1\nv3')
  t.equal(await git(gitdir, 'rev-parse', 'v3^{commit}'), commit, 'the peel line of a kept tag is kept')
  t.equal(await git(gitdir, 'fsck', '--no-progress', '--no-dangling'), '')
})

t.test('a loose ref over a packed one: deleting removes both, writing creates missing folders', async (t) => {
  const { gitdir, commit } = bareRepoWithTags(t.testdir())
  await git(gitdir, 'update-ref', 'refs/archives/abc', commit)
  await git(gitdir, 'pack-refs', '--all')
  await writeRef(gitdir, 'refs/archives/abc', commit)
  await deleteRef(gitdir, 'refs/archives/abc')
  t.equal(await readRef(gitdir, 'refs/archives/abc'), null)
  await deleteRef(gitdir, 'refs/archives/never-was')
  await writeRef(gitdir, 'refs/deep/new/ref', commit)
  t.equal(await git(gitdir, 'rev-parse', 'refs/deep/new/ref'), commit)
})

t.test(
  'packRefs moves loose refs into packed-refs and drops the emptied folders; git reads the same refs',
  async (t) => {
    const { gitdir, commit } = bareRepoWithTags(t.testdir())
    await git(gitdir, 'update-ref', 'refs/heads/main', commit)
    for (const name of ['v1', 'v2'])
      await git(gitdir, '-c', 'user.name=a', '-c', 'user.email=a@b', 'tag', '-a', '-m', name, name, commit)
    // v1 and v2 packed by git (with peel lines); v3, main and an archive ref loose, main newer than its packed copy.
    await git(gitdir, 'pack-refs', '--all')
    await git(gitdir, '-c', 'user.name=a', '-c', 'user.email=a@b', 'tag', '-a', '-m', 'v3', 'v3', commit)
    const second = (
      await git(
        gitdir,
        '-c',
        'user.name=a',
        '-c',
        'user.email=a@b',
        'commit-tree',
        '-p',
        commit,
        '-m',
        'd',
        '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      )
    )
      .toString()
      .trim()
    await writeRef(gitdir, 'refs/heads/main', second)
    await writeRef(gitdir, `refs/archives/${second}`, commit)
    const before = await git(gitdir, 'for-each-ref', '--format=%(objectname) %(refname) %(*objectname)')

    t.equal(await packRefs(gitdir), 3, 'main, v3 and the archive ref moved')
    t.equal(
      await git(gitdir, 'for-each-ref', '--format=%(objectname) %(refname) %(*objectname)'),
      before,
      'git sees the same refs',
    )
    t.same(readdirSync(join(gitdir, 'refs')), [], 'no loose ref, no folder left under refs/')
    t.match(readFileSync(join(gitdir, 'packed-refs'), 'utf8'), /\^/, 'the peel lines git wrote stay')
    t.equal(await readRef(gitdir, 'refs/heads/main'), second, 'the loose copy of main won over its older packed one')
    t.equal((await git(gitdir, 'fsck', '--strict', '--no-dangling')).trim(), '')
    t.equal(await packRefs(gitdir), 0, 'nothing loose: nothing to do')

    // Writes recreate their folders; deletes still stick.
    await writeRef(gitdir, 'refs/tags/v4', commit)
    await deleteRef(gitdir, 'refs/tags/v1')
    t.same([...(await listRefs(gitdir, 'refs/tags/')).keys()].sort(), ['refs/tags/v2', 'refs/tags/v3', 'refs/tags/v4'])
    t.equal(await git(gitdir, 'tag', '-l'), 'v2\nv3\nv4')
  },
)

t.test('writeRefs writes several refs in new and existing folders, leaving no temporary file', async (t) => {
  const { gitdir, commit } = bareRepoWithTags(t.testdir())
  await writeRefs(gitdir, [
    ['refs/archives/' + commit, commit],
    ['refs/heads/main', commit],
  ])
  t.equal(await readRef(gitdir, 'refs/heads/main'), commit)
  t.equal(await readRef(gitdir, `refs/archives/${commit}`), commit)
  t.equal(await git(gitdir, 'rev-parse', 'main'), commit, 'git reads them')
  t.notOk(
    readdirSync(gitdir).some((name) => name.startsWith('tmp_ref_')),
    'no temporary file is left',
  )
})
