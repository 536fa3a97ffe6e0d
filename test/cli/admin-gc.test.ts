import { readdirSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { fsck } from '../../engine/admin/fsck.js'
import { openEngine } from '../../engine/engine.js'
import { listLooseObjects } from '../../repos/pack/repack.js'
import { ADMIN, buildFixture } from '../engine/admin/fixture.js'
import { gitdirOf } from '../helpers/data-dir.js'
import { git } from '../helpers/git.js'
import { runTagstone } from '../helpers/tagstone-process.js'

t.test('tagstone admin gc packs every repository; fsck and git fsck stay clean, versions still read', async (t) => {
  const f = await buildFixture(t.testdir())
  const gitdir = gitdirOf(f.dataDir, f.functionId)
  t.ok((await listLooseObjects(gitdir)).length > 0)

  const run = await runTagstone(['admin', 'gc', '--json', '--data', f.dataDir])
  t.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout)
  t.match(out.functions, [{ function_id: f.functionId, status: 'packed' }])
  t.ok(out.functions[0].refsPacked > 0, 'no server holds the data directory: refs are packed too')
  t.same(readdirSync(join(gitdir, 'refs')), [], 'no loose ref left')
  const tags = await git(gitdir, 'tag', '-l')
  t.same(await listLooseObjects(gitdir), [])
  await git(gitdir, 'fsck', '--full', '--strict')
  t.same((await fsck(f.dataDir)).problems, [], 'tagstone fsck reads the packed repository')

  const engine = await openEngine({ dataDir: f.dataDir })
  try {
    const zip = await engine.downloadVersion(ADMIN, f.functionId, 1)
    t.ok(zip.bytes.length > 0, 'a version downloads from the pack')
  } finally {
    engine.close()
  }

  const again = await runTagstone(['admin', 'gc', '--function', f.functionId.toUpperCase(), '--data', f.dataDir])
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /already packed/)

  const after = await openEngine({ dataDir: f.dataDir })
  try {
    await after.updateFunction(ADMIN, f.functionId, { fields: { timeout: 99 } })
    const made = await after.createVersion(ADMIN, f.functionId, {})
    t.equal(await git(gitdir, 'tag', '-l', made.tag), made.tag, 'a new version tags beside the packed refs')
    t.equal(await git(gitdir, 'tag', '-l'), `${tags}\n${made.tag}`, 'the packed ones stay')
  } finally {
    after.close()
  }
})

t.test('tagstone admin gc --function names an unknown function: exit non-zero with a message', async (t) => {
  const f = await buildFixture(t.testdir())
  const run = await runTagstone([
    'admin',
    'gc',
    '--function',
    '11111111-1111-4111-8111-111111111111',
    '--data',
    f.dataDir,
  ])
  t.not(run.code, 0)
  t.match(run.stderr, /not found/)
})
