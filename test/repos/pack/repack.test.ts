import { randomBytes } from 'node:crypto'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

import t from 'tap'

import { applyDelta } from '../../../repos/pack/apply-delta.js'
import { createDelta, indexBase } from '../../../repos/pack/create-delta.js'
import { nameHash } from '../../../repos/pack/delta-search.js'
import { listLooseObjects, lockRepository, repack } from '../../../repos/pack/repack.js'
import { readObject } from '../../../repos/read-object.js'
import { git, gitBytes } from '../../helpers/git.js'
import { liveProcess } from '../../helpers/live-process.js'

/** Text that changes a little from one commit to the next, as source code does. */
function fileText(file: number, commit: number): string {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} of file ${file}: ${(i * 7919 + file) % 1000}\n`)
  lines.splice((commit * 13) % 200, 0, `edited in commit ${commit}\n`)
  return lines.join('')
}

/** A bare repository of `commits` commits of 3 files and a tag each, every object loose. */
async function looseRepository(dir: string, commits: number, first = 1): Promise<string> {
  const gitdir = path.join(dir, 'repo.git')
  if (first === 1) await git(dir, 'init', '-q', '--bare', '-b', 'main', gitdir)
  const out: string[] = []
  for (let c = first; c < first + commits; c++) {
    out.push('commit refs/heads/main', `committer T <t@example.invalid> ${1_700_000_000 + c} +0000`)
    out.push(`data ${String(c).length + 1}`, `c${c}`)
    if (c === first && first > 1) out.push('from refs/heads/main^0')
    for (let f = 0; f < 3; f++) {
      const text = fileText(f, c)
      out.push(`M 100644 inline src/f${f}.js`, `data ${Buffer.byteLength(text)}`, text)
    }
    out.push(`reset refs/tags/v${c}`, 'from refs/heads/main', '')
  }
  const packDir = path.join(gitdir, 'objects', 'pack')
  const before = new Set(await readdir(packDir))
  await gitBytes(gitdir, ['fast-import', '--quiet'], Buffer.from(out.join('\n') + '\n'))
  for (const name of await readdir(packDir)) {
    if (!name.endsWith('.pack') || before.has(name)) continue
    const moved = path.join(dir, name)
    await rename(path.join(packDir, name), moved)
    await rm(path.join(packDir, name.replace(/\.pack$/, '.idx')), { force: true })
    await gitBytes(gitdir, ['unpack-objects', '-q'], await readFile(moved))
    await rm(moved)
  }
  return gitdir
}

async function packFiles(gitdir: string): Promise<string[]> {
  return (await readdir(path.join(gitdir, 'objects', 'pack'))).sort()
}

t.test('createDelta output rebuilds the target, and gives up past maxSize', async (t) => {
  for (let round = 0; round < 40; round++) {
    const base = randomBytes(1 + Math.floor(Math.random() * 70_000))
    const start = Math.floor(Math.random() * base.length)
    const target = Buffer.concat([
      randomBytes(Math.floor(Math.random() * 300)),
      base.subarray(start, start + 70_000),
      randomBytes(Math.floor(Math.random() * 20)),
      base.subarray(0, Math.floor(base.length / 3)),
    ])
    const delta = createDelta(indexBase(base), target, target.length + 1000)
    t.ok(delta !== undefined && applyDelta(base, delta).equals(target), `round ${round}`)
  }
  const base = randomBytes(4096)
  t.equal(createDelta(indexBase(base), randomBytes(4096), 100), undefined, 'unrelated bytes make no small delta')
  const short = Buffer.from('tiny')
  t.same(applyDelta(base, createDelta(indexBase(base), short, 100) as Buffer), short, 'a target shorter than a block')
  t.equal(nameHash(undefined), 0)
  t.not(nameHash('a.js'), nameHash('b.js'))
  t.equal(nameHash('a b.js'), nameHash('ab.js'), 'whitespace does not count, as in git')
})

t.test('repack packs loose objects with deltas; git fsck is clean and every object still reads', async (t) => {
  const dir = t.testdir()
  const gitdir = await looseRepository(dir, 12)
  const loose = await listLooseObjects(gitdir)
  t.ok(loose.length > 40)

  const first = await repack(gitdir, { all: false })
  t.match(first, { status: 'packed', objects: loose.length, looseRemoved: loose.length, packsRemoved: 0 })
  t.ok(first.deltas > 20, `deltas found (${first.deltas})`)
  t.same(await listLooseObjects(gitdir), [])
  t.same(
    (await readdir(path.join(gitdir, 'objects'))).filter((n) => /^[0-9a-f]{2}$/.test(n)),
    [],
    'emptied fan-out folders are removed',
  )
  await git(gitdir, 'fsck', '--full', '--strict')
  t.match(await git(gitdir, 'count-objects', '-v'), /count: 0\n[\s\S]*in-pack: \d+/)
  for (const oid of loose) {
    const object = await readObject(gitdir, oid)
    t.equal(
      (await gitBytes(gitdir, ['cat-file', object.type, oid])).equals(object.content),
      true,
      `${oid} reads as git reads it`,
    )
  }
  t.match(await repack(gitdir, { all: false }), { status: 'nothing-to-do' }, 'no loose objects: nothing to do')
  t.match(await repack(gitdir, { all: true }), { status: 'nothing-to-do' }, 'one pack already')

  // More history: an incremental pack beside the first, then one pack of everything.
  await looseRepository(dir, 3, 13)
  const second = await repack(gitdir, { all: false })
  t.match(second, { status: 'packed', packsRemoved: 0 })
  t.equal((await packFiles(gitdir)).length, 4, 'two packs, each with its index')
  const whole = await repack(gitdir, { all: true })
  t.match(whole, { status: 'packed', packsRemoved: 2, looseRemoved: 0 })
  t.equal((await packFiles(gitdir)).length, 2)
  await git(gitdir, 'fsck', '--full', '--strict')
  t.equal(await git(gitdir, 'rev-list', '--count', '--all'), '15')
})

t.test('an incremental repack turns whole past maxPacks; leftovers of a killed repack are swept', async (t) => {
  const dir = t.testdir()
  const gitdir = await looseRepository(dir, 2)
  await repack(gitdir, { all: false })
  await looseRepository(dir, 1, 3)
  const packDir = path.join(gitdir, 'objects', 'pack')
  await writeFile(path.join(packDir, 'tmp_pack_dead'), 'x')
  await writeFile(path.join(packDir, 'pack-0000000000000000000000000000000000000000.pack'), 'no index')
  const result = await repack(gitdir, { all: false, maxPacks: 1 })
  t.match(result, { status: 'packed', packsRemoved: 1 })
  t.equal((await packFiles(gitdir)).length, 2, 'one pack and its index, the leftovers gone')
  await git(gitdir, 'fsck', '--full', '--strict')
})

t.test('gc.pid: a live holder makes a repack busy; a dead one is taken over', async (t) => {
  const dir = t.testdir()
  const gitdir = await looseRepository(dir, 1)
  const lock = path.join(gitdir, 'gc.pid')
  const host = (await import('node:os')).hostname()
  const holder = liveProcess(t)
  await writeFile(lock, `${holder.pid} ${host}`)
  t.match(await repack(gitdir, { all: true }), { status: 'busy' })
  t.ok((await listLooseObjects(gitdir)).length > 0, 'nothing was touched')
  await writeFile(lock, `999999999 ${host}`)
  t.match(await repack(gitdir, { all: true }), { status: 'packed' })
  await t.rejects(readFile(lock), 'the lock is released')
})

t.test("gc.pid naming this process, which does not hold it, is an earlier process's: taken over", async (t) => {
  // A server in a container is pid 1 at every start: a lock left by a killed one names the new one.
  const gitdir = await looseRepository(t.testdir(), 1)
  const lock = path.join(gitdir, 'gc.pid')
  await writeFile(lock, `${process.pid} ${(await import('node:os')).hostname()}`)
  t.match(await repack(gitdir, { all: true }), { status: 'packed' })
  await t.rejects(readFile(lock), 'the lock is released')
})

t.test('while this process holds gc.pid, a second taker in it is refused', async (t) => {
  const gitdir = await looseRepository(t.testdir(), 1)
  const release = await lockRepository(gitdir)
  t.ok(release, 'taken')
  t.equal(await lockRepository(gitdir), undefined, 'busy')
  t.match(await repack(gitdir, { all: true }), { status: 'busy' })
  await release!()
  const again = await lockRepository(gitdir)
  t.ok(again, 'free once released')
  await again!()
})

t.test('the exclusive hook runs the removal', async (t) => {
  const gitdir = await looseRepository(t.testdir(), 1)
  let ran = 0
  const result = await repack(gitdir, {
    all: true,
    exclusive: async (work) => {
      ran++
      return await work()
    },
  })
  t.equal(ran, 1)
  t.ok(result.looseRemoved > 0)
})
