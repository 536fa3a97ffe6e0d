import { rmSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { mainHistoryLength } from '../../repos/inspect-repo.js'
import { git } from '../helpers/git.js'

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'
// commit-tree needs an identity; the git helper passes the environment on.
Object.assign(process.env, {
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@b',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@b',
})

/** A bare repository whose main has `n` commits, oldest first in the result. */
async function history(dir: string, n: number): Promise<{ gitdir: string; commits: string[] }> {
  const gitdir = join(dir, 'r.git')
  await git(dir, 'init', '-q', '--bare', '--initial-branch=main', gitdir)
  await git(gitdir, 'hash-object', '-w', '-t', 'tree', '/dev/null')
  const commits: string[] = []
  for (let i = 0; i < n; i++) {
    const parent = commits.at(-1)
    commits.push(await git(gitdir, 'commit-tree', '-m', `c${i}`, ...(parent ? ['-p', parent] : []), EMPTY_TREE))
  }
  if (commits.length > 0) await git(gitdir, 'update-ref', 'refs/heads/main', commits.at(-1)!)
  return { gitdir, commits }
}

const loose = (gitdir: string, oid: string) => join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))

t.test('the length of main: whole, absent, and up to a missing commit', async (t) => {
  const whole = await history(t.testdir({ a: {} }), 9)
  t.same(await mainHistoryLength(whole.gitdir), { commits: 9, complete: true })

  const none = await history(t.testdir({ b: {} }), 0)
  t.same(await mainHistoryLength(none.gitdir), { commits: 0, complete: true }, 'no main: no history, nothing wrong')

  for (const missing of [0, 1, 4, 8]) {
    const broken = await history(t.testdir({ [`c${missing}`]: {} }), 9)
    // commits[8] is the tip: losing commits[k] leaves 8 - k readable ones above it.
    rmSync(loose(broken.gitdir, broken.commits[missing]!))
    t.same(
      await mainHistoryLength(broken.gitdir),
      { commits: 8 - missing, complete: false },
      `commit ${missing} of 9 missing`,
    )
  }
})
