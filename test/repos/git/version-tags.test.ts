import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { durableSyncStats } from '../../../repos/durable-fs.js'
import {
  isVersionTagRef,
  versionNumberOfTag,
  versionTagName,
  writeVersionTag,
  writeVersionTagObject,
} from '../../../repos/git/version-tags.js'

t.test('a version number and its tag name go both ways, and nothing else reads as a version', async (t) => {
  for (const n of [1, 7, 10, 999, 1_000_000_000_000_000 - 1]) {
    t.equal(versionNumberOfTag(versionTagName(n)), n, `v${n}`)
  }
  for (const name of ['v0', 'v01', 'V1', 'v1.0', 'v-1', 'v', 'release', ' v1', 'v1 ', 'v10000000000000000']) {
    t.equal(versionNumberOfTag(name), undefined, JSON.stringify(name))
  }
  t.equal(isVersionTagRef('refs/tags/v3'), true)
  t.equal(isVersionTagRef('refs/heads/v3'), false)
  t.equal(isVersionTagRef('refs/tags/v03'), false)
})

t.test(
  'a version tag is written with its object and ref fsynced at once and their two folders synced once',
  async (t) => {
    const root = t.testdir()
    const gitdir = join(root, 'f.git')
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', gitdir])
    const tree = execFileSync('git', ['--git-dir', gitdir, 'mktree'], { input: '' }).toString().trim()
    const commit = execFileSync('git', ['--git-dir', gitdir, 'commit-tree', '-m', 'c', tree], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'a',
        GIT_AUTHOR_EMAIL: 'a@a',
        GIT_COMMITTER_NAME: 'a',
        GIT_COMMITTER_EMAIL: 'a@a',
      },
    })
      .toString()
      .trim()
    const before = durableSyncStats()
    const oid = await writeVersionTag(gitdir, { number: 1, commit, message: 'first', time: 1_700_000_000 })
    const after = durableSyncStats()
    t.equal(after.files - before.files, 2, 'the tag object and the ref')
    // Their two folders, plus objects/ when the tag's fan-out folder is new.
    t.ok(after.directories - before.directories <= 3, 'at most three folders')
    t.equal(execFileSync('git', ['--git-dir', gitdir, 'rev-parse', 'refs/tags/v1']).toString().trim(), oid)
    t.equal(execFileSync('git', ['--git-dir', gitdir, 'cat-file', '-t', oid]).toString().trim(), 'tag')
    t.equal(await writeVersionTagObject(gitdir, { number: 1, commit, message: 'first', time: 1_700_000_000 }), oid)
    execFileSync('git', ['--git-dir', gitdir, 'fsck', '--strict'], { stdio: 'ignore' })
    t.same(
      readdirSync(gitdir).filter((name) => name.startsWith('tmp_')),
      [],
    )
  },
)
