import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { RepoStore } from '../../repos/repo-store.js'
import { git } from '../helpers/git.js'

t.test('a new repository is whole and valid to git; temp files of cut-off writes are swept', async (t) => {
  const store = new RepoStore(t.testdir())
  await store.prepare()
  const gitdir = await store.create('f1')
  for (const dir of ['objects/pack', 'refs/heads', 'refs/tags']) t.ok(statSync(join(gitdir, dir)).isDirectory(), dir)
  // Only what git needs: every file and folder is a disk block, and small functions are mostly these.
  t.same(readdirSync(gitdir).sort(), ['HEAD', 'config', 'objects', 'refs'], 'no description, hooks or info')
  t.same(readdirSync(join(gitdir, 'objects')), ['pack'], 'no objects/info')
  t.equal(await git(gitdir, 'rev-parse', '--is-bare-repository'), 'true', 'git takes it for a bare repository')
  t.equal(await git(gitdir, 'symbolic-ref', 'HEAD'), 'refs/heads/main')
  t.same(readdirSync(store.tmpDir), [], 'nothing left in tmp/')

  writeFileSync(join(gitdir, 'tmp_ref_abc'), '')
  writeFileSync(join(gitdir, 'objects', 'tmp_obj_def'), 'half')
  await store.sweepTemporaryFiles('f1')
  t.notOk(readdirSync(gitdir).some((n) => n.startsWith('tmp_')))
  t.notOk(readdirSync(join(gitdir, 'objects')).some((n) => n.startsWith('tmp_')))
  t.same(await store.list(), ['f1'])
  await store.remove('f1')
  await store.remove('f1')
  t.same(await store.list(), [])
})

t.test('removing a repository tells whoever holds it open to let go, once per removal', async (t) => {
  const forgotten: string[] = []
  const store = new RepoStore(t.testdir(), { forget: (gitdir) => forgotten.push(gitdir) })
  await store.prepare()
  const gitdir = await store.create('f2')
  await store.remove('f2')
  await store.remove('f2')
  t.same(forgotten, [gitdir], 'told once; the second removal finds nothing to remove')
})
