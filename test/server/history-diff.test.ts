import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { Api, expectFault, type Json } from '../helpers/api.js'
import { runGit } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip, type ZipEntry } from '../helpers/zip.js'

const LINK = 0o120777
const EXEC = 0o100755
const lines = (n: number, tweak: (i: number) => string | undefined = () => undefined) =>
  Array.from({ length: n }, (_, i) => tweak(i + 1) ?? `line ${i + 1}`).join('\n') + '\n'
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 10, 65, 66, 10])

/** Packages in upload order; each becomes version i + 1. Every pair below is compared with the real git. */
const PACKAGES: ZipEntry[][] = [
  [
    { name: 'main.py', content: lines(40) },
    { name: 'empty.txt', content: '' },
    { name: 'run.sh', content: '#!/bin/sh\necho hi\n' },
    { name: 'link', content: 'main.py', mode: LINK },
    { name: 'lib/a.py', content: lines(5) },
    { name: 'lib/deep/er/b.py', content: lines(12) },
    { name: 'conf', content: 'a file that becomes a directory\n' },
    { name: 'typechange', content: 'a file that becomes a symlink\n' },
    { name: 'ünïcode/çödé ñame.txt', content: 'grüße\nnaïve\n' },
    { name: 'gone.txt', content: 'bye\n' },
    { name: 'no-newline.txt', content: 'abc' },
    { name: 'keep/bin.dat', content: BINARY },
  ],
  [
    { name: 'main.py', content: lines(42, (i) => (i === 3 ? 'changed 3' : i === 30 ? 'changed 30' : undefined)) },
    { name: 'empty.txt', content: '' },
    { name: 'empty2.txt', content: '' },
    { name: 'run.sh', content: '#!/bin/sh\necho hi\n', mode: EXEC },
    { name: 'link', content: 'lib/a.py', mode: LINK },
    { name: 'lib/a.py', content: lines(5) },
    { name: 'lib/deep/er/b.py', content: lines(10, (i) => (i === 1 ? 'first' : undefined)) },
    { name: 'conf/x.txt', content: 'x\n' },
    { name: 'conf/y/z.txt', content: 'z\n' },
    { name: 'typechange', content: 'run.sh', mode: LINK },
    { name: 'ünïcode/çödé ñame.txt', content: 'grüße\nnäive\n' },
    { name: 'new dir/with space.txt', content: 'spaced\n' },
    { name: 'no-newline.txt', content: 'abd\n' },
    { name: 'keep/bin.dat', content: BINARY },
  ],
  [
    { name: 'main.py', content: lines(20) },
    { name: 'run.sh', content: '#!/bin/sh\necho bye', mode: EXEC },
    { name: 'link', content: 'lib/a.py', mode: LINK },
    { name: 'lib/a.py', content: '' },
    { name: 'conf', content: 'a file again\n' },
    { name: 'typechange', content: 'a file once more\n' },
    { name: 'ünïcode/çödé ñame.txt', content: 'grüße\nnäive\n' },
    { name: 'no-newline.txt', content: 'abd' },
    { name: 'keep/bin.dat', content: BINARY },
  ],
  [
    { name: 'main.py', content: lines(20) },
    { name: 'keep/bin.dat', content: Buffer.concat([BINARY, Buffer.from('more')]) },
    { name: 'big.txt', content: 'x'.repeat(1024 * 1024 + 1) },
    { name: 'became-binary.txt', content: Buffer.from('text\0now binary\n') },
  ],
]
/** [a, b, whether every change is text so that `git apply` can apply the patch] */
const PAIRS: Array<[number, number, boolean]> = [
  [1, 2, true],
  [2, 3, true],
  [1, 3, true],
  [3, 1, true],
  [2, 1, true],
  [3, 4, false],
]

const STATUS: Record<string, string> = { A: 'added', D: 'deleted', M: 'modified', T: 'type_changed' }

interface DiffJson {
  from: Json
  to: Json
  files: Array<{ path: string; status: string; binary: boolean; additions: number | null; deletions: number | null }>
  config: Record<string, { from: unknown; to: unknown }>
  stats: { files_changed: number; additions: number; deletions: number }
}

t.test('diffs equal what the real git says, and their patches apply with git apply', async (t) => {
  const dir = t.testdir()
  const server = await startServer({ dataDir: join(dir, 'data') })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)

  const fn = await api.createFunction(makeZip(PACKAGES[0]!))
  await api.createVersion(fn.id, 'v1')
  for (const entries of PACKAGES.slice(1)) {
    await api.uploadPackage(fn.id, makeZip(entries))
    await api.createVersion(fn.id)
  }
  const work = join(dir, 'work')
  const gitIn = (...args: string[]) => runGit(['-c', 'core.quotePath=false', ...args], { cwd: work })
  t.equal((await runGit(['clone', '-q', `${server.url}/git/${fn.id}.git`, work], { cwd: dir })).code, 0, 'cloned')

  for (const [a, b, text] of PAIRS) {
    const reply = await api.get(`/v1/functions/${fn.id}/versions/${a}/diff?to=${b}`)
    t.equal(reply.status, 200)
    const diff = reply.json<DiffJson>()
    t.match(diff, { from: { version: a }, to: { version: b } })

    const numstat = (await gitIn('diff', '--numstat', '-z', '-M0', `v${a}`, `v${b}`)).stdout
    const expected = numstat
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const [add, del, path] = line.split('\t') as [string, string, string]
        return { path, additions: add === '-' ? null : Number(add), deletions: del === '-' ? null : Number(del) }
      })
      .sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)))
    const got = diff.files.map((f) => ({ path: f.path, additions: f.additions, deletions: f.deletions }))
    // Big text files count as binary for tagstone (git counts their lines): compare those by path only.
    const big = new Set(diff.files.filter((f) => f.path === 'big.txt').map((f) => f.path))
    const strip = (x: { path: string; additions: number | null; deletions: number | null }) =>
      big.has(x.path) ? { path: x.path } : x
    t.same(got.map(strip), expected.map(strip), `v${a}..v${b}: paths and numstat counts as git's`)

    const nameStatus = (await gitIn('diff', '--name-status', '-z', '-M0', `v${a}`, `v${b}`)).stdout.split('\0')
    const statuses: Record<string, string> = {}
    for (let i = 0; i + 1 < nameStatus.length; i += 2) statuses[nameStatus[i + 1]!] = STATUS[nameStatus[i]!]!
    t.same(Object.fromEntries(diff.files.map((f) => [f.path, f.status])), statuses, `v${a}..v${b}: statuses`)
    t.equal(diff.stats.files_changed, diff.files.length)
    t.ok(diff.files.length >= 3, `v${a}..v${b}: ${diff.files.length} files differ`)

    const patch = await api.get(`/v1/functions/${fn.id}/versions/${a}/diff?to=${b}&format=patch`)
    t.equal(patch.status, 200)
    t.match(patch.headers.get('content-type') ?? '', /^text\/x-diff/)
    if (!text) {
      t.match(patch.text, /Binary files a\/keep\/bin\.dat and b\/keep\/bin\.dat differ/, 'binary files as git says')
      continue
    }
    t.equal((await gitIn('checkout', '-q', '-f', `v${a}`)).code, 0)
    t.equal((await gitIn('clean', '-q', '-fdx')).code, 0)
    const file = join(dir, `v${a}-v${b}.patch`)
    writeFileSync(file, patch.bytes)
    const applied = await gitIn('apply', '--index', file)
    t.equal(applied.code, 0, `v${a}..v${b}: git apply: ${applied.stderr}`)
    const quiet = await gitIn('diff', '--cached', '--quiet', `v${b}`)
    t.equal(quiet.code, 0, `v${a}..v${b}: the patched checkout is v${b}'s tree`)
  }
})

t.test('config, the current package, and bad requests', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(makeZip(PACKAGES[2]!), { timeout: '5' })
  await api.createVersion(fn.id)
  t.equal((await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 30, entry: 'main.run' } })).status, 200)
  const current = (await api.get(`/v1/functions/${fn.id}/versions/1/diff`)).json<DiffJson>()
  t.same(current.files, [], 'same code as the current package')
  t.same(current.to.version, null, 'to: the current package by default')
  t.same(current.config, { entry: { from: 'main.main', to: 'main.run' }, timeout: { from: 5, to: 30 } })
  const asked = await api.get(`/v1/functions/${fn.id}/versions/1/diff?to=current`, {
    headers: { accept: 'text/x-diff' },
  })
  t.equal(asked.status, 200)
  t.equal(asked.text, '', 'no file changed: an empty patch')

  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/9/diff`), 404)
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/1/diff?to=9`), 404)
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/1/diff?to=latest`), 400)
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/1/diff?format=html`), 400)
  expectFault(t, await api.get(`/v1/functions/${fn.id}/versions/x/diff`), 400)
})
