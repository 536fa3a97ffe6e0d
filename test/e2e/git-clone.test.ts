import { join } from 'node:path'

import t from 'tap'

import { Api } from '../helpers/api.js'
import { git, runGit } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

/** The real git in a work tree, never prompting; stdout trimmed. */
const gitIn = async (cwd: string, ...args: string[]) => {
  const result = await runGit(args, { cwd })
  return { ...result, stdout: result.stdout.trim() }
}

async function looseObjects(work: string): Promise<number> {
  const { stdout } = await gitIn(work, 'count-objects', '-v')
  return Number(/^count: (\d+)$/m.exec(stdout)?.[1])
}

const pkg = (main: string, util: string) =>
  makeZip([
    { name: 'main.py', content: main },
    { name: 'run.sh', content: '#!/bin/sh\nexec python3 main.py\n', mode: 0o100755 },
    { name: 'lib/util.py', content: util },
  ])

t.test('a function made through the API clones and fetches with the real git', async (t) => {
  const dir = t.testdir()
  const dataDir = join(dir, 'data')
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)

  const fn = await api.createFunction(pkg('print(1)\n', 'A = 1\n'))
  await api.createVersion(fn.id, 'first')
  await api.uploadPackage(fn.id, pkg('print(2)\n', 'A = 1\n'))
  await api.createVersion(fn.id, 'second')
  await api.uploadPackage(fn.id, pkg('print(2)\n', 'A = 3\n'))
  await api.createVersion(fn.id, 'third')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204)

  const work = join(dir, 'work')
  const cloned = await gitIn(dir, 'clone', '-q', `${server.url}/git/${fn.id}.git`, work)
  t.equal(cloned.code, 0, `git clone: ${cloned.stderr}`)
  t.equal((await gitIn(work, 'rev-list', '--count', 'main')).stdout, '3', 'one commit per upload')
  t.equal((await gitIn(work, 'tag')).stdout, 'v1\nv3', 'existing versions only')
  t.equal((await gitIn(work, 'cat-file', '-t', 'v1')).stdout, 'tag')
  // Spec 8: the description, a blank line, then the config snapshot as trailers.
  t.match(
    (await gitIn(work, 'cat-file', 'tag', 'v3')).stdout,
    /\n\nthird\n\nTagstone-Entry: main\.main\n(.+\n)*Tagstone-Package-Sha256: [0-9a-f]{64}$/,
    'the tag message is the description, then the config trailers',
  )
  t.equal((await gitIn(work, 'show', 'v1:main.py')).stdout, 'print(1)')
  t.equal((await gitIn(work, 'show', 'v3:lib/util.py')).stdout, 'A = 3')
  t.match(
    (await gitIn(work, 'ls-tree', 'v1', 'run.sh')).stdout,
    /^100755 blob /,
    'the executable bit survives the clone',
  )
  t.equal((await gitIn(work, 'fsck', '--strict')).code, 0, 'the clone is sound')
  const archives = (
    await git(join(dataDir, 'repos', `${fn.id}.git`), 'for-each-ref', '--format=%(objectname)', 'refs/archives/')
  ).split('\n')
  t.equal(archives.length, 3, 'the server keeps an archive per upload')
  for (const blob of archives)
    t.not((await gitIn(work, 'cat-file', '-e', blob)).code, 0, 'archives never reach a clone')

  // Loose objects make the count exact: what arrives is what the pack held.
  await gitIn(work, 'config', 'fetch.unpackLimit', '100000')
  const before = await looseObjects(work)
  await api.uploadPackage(fn.id, pkg('print(4)\n', 'A = 3\n'))
  await api.createVersion(fn.id, 'fourth')
  const fetched = await gitIn(work, 'fetch', '-q', '--tags')
  t.equal(fetched.code, 0, `git fetch: ${fetched.stderr}`)
  t.equal((await looseObjects(work)) - before, 4, 'only the new commit, root tree, blob and tag were sent')
  t.equal((await gitIn(work, 'show', 'v4:main.py')).stdout, 'print(4)')
  t.equal(
    (await gitIn(work, 'rev-parse', 'origin/main')).stdout,
    (await gitIn(work, 'rev-parse', 'v4^{commit}')).stdout,
  )

  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/3`)).status, 204)
  t.equal((await gitIn(work, 'fetch', '-q', '--prune', '--prune-tags')).code, 0)
  t.equal((await gitIn(work, 'tag')).stdout, 'v1\nv4', "a deleted version's tag is pruned")
  t.equal((await gitIn(work, 'fsck', '--strict')).code, 0)
})
