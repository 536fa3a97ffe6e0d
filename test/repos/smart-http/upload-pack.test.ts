import { stat } from 'node:fs/promises'
import path from 'node:path'

import t from 'tap'

import { RepoError as GitProtocolError } from '../../../repos/errors.js'
import { LOOSE_STREAM_BYTES } from '../../../repos/pack/loose-stream.js'
import { GitServer } from '../../../repos/smart-http/git-server.js'
import { addVersion, type Fixture, git, makeFixture, testDir } from './fixture.js'
import { collect, decodeResponse, expectedObjects, indexPack, packObjectCount, requestBody } from './wire.js'

/** One server for the whole file, as a process has one. */
const server = new GitServer()

const CLONE_CAPS = 'multi_ack_detailed side-band-64k ofs-delta include-tag no-progress agent=git/2.39.5'
const PLAIN_CAPS = 'side-band-64k ofs-delta no-progress'

const rev = async (fixture: Fixture, name: string): Promise<string> =>
  await git(['rev-parse', name], { cwd: fixture.gitdir })

async function advertisedTips(fixture: Fixture): Promise<string[]> {
  const out = await git(['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/tags'], { cwd: fixture.gitdir })
  return out.split('\n')
}

for (const packed of [false, true]) {
  t.test(`a clone gets exactly the objects of main and the tags (${packed ? 'packed' : 'loose'})`, async (t) => {
    const dir = testDir(t)
    const fixture = await makeFixture(path.join(dir), { packed })
    const tips = await advertisedTips(fixture)
    const response = decodeResponse(
      await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, CLONE_CAPS))),
      true,
    )
    t.same(response.lines, ['NAK'])
    t.ok(response.flushed, 'side-band stream ends with a flush')
    t.equal(response.fatal, '')
    t.equal(response.progress, '', 'no-progress is honoured')
    const objects = await indexPack(response.pack, path.join(dir, 'scratch.git'))
    t.same(objects, await expectedObjects(fixture.gitdir, tips))
    t.notOk(objects.includes(fixture.archiveBlob), 'the archive blob is not sent')
  })
}

t.test('raw and small side-band framings carry the same valid pack, with progress when asked', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const tips = await advertisedTips(fixture)
  const raw = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, 'ofs-delta'))),
    false,
  )
  t.same(raw.lines, ['NAK'])
  // Both ask for ofs-delta: deltas name their bases by offset in one and by id in the other otherwise.
  const small = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, 'side-band ofs-delta'))),
    true,
  )
  t.same(small.pack, raw.pack)
  t.match(small.progress, /Enumerating objects: \d+, done\.\n/)
  t.same(await indexPack(raw.pack, path.join(dir, 'scratch.git')), await expectedObjects(fixture.gitdir, tips))
  // Without ofs-delta, deltas name their bases by id: a different pack, the same objects.
  const byId = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, 'side-band'))),
    true,
  )
  t.same(await indexPack(byId.pack, path.join(dir, 'scratch2.git')), await expectedObjects(fixture.gitdir, tips))
})

t.test('side-band packets never exceed their size limits', async (t) => {
  const fixture = await makeFixture(testDir(t))
  await addVersion(fixture, 'v4', 1, { 'big.bin': Buffer.from(Buffer.alloc(300_000).map((_, i) => (i * 7919) % 251)) })
  const tips = await advertisedTips(fixture)
  for (const [caps, max] of [
    ['side-band-64k', 65520],
    ['side-band', 1000],
  ] as const) {
    const body = await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, caps)))
    let at = 0
    let largest = 0
    while (at < body.length) {
      const length = parseInt(body.toString('latin1', at, at + 4), 16)
      largest = Math.max(largest, length)
      at += length === 0 ? 4 : length
    }
    t.ok(largest <= max, `${caps}: largest packet ${largest} <= ${max}`)
    t.equal(at, body.length)
  }
})

t.test('an incremental fetch sends only what the common haves lack', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const oldMain = await rev(fixture, 'main')
  await addVersion(fixture, 'v4', 2)
  const newMain = await rev(fixture, 'main')
  const v4 = await rev(fixture, 'v4')
  const unknown = 'e'.repeat(40)
  const response = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody([newMain, v4], PLAIN_CAPS, [unknown, oldMain]))),
    true,
  )
  t.same(response.lines, [`ACK ${oldMain}`], 'plain v0: one ACK for the first common have, then the pack')
  const objects = await indexPack(response.pack, path.join(dir, 'scratch.git'))
  t.same(objects, await expectedObjects(fixture.gitdir, [newMain, v4], [oldMain]))
  t.equal(objects.length, 2 * 3 + 1, 'two commits, two trees, two blobs and the tag')
})

t.test('plain v0 negotiation rounds answer ACK or NAK and no pack', async (t) => {
  const fixture = await makeFixture(testDir(t))
  const [c1, c2] = fixture.commits as [string, string, string]
  const main = await rev(fixture, 'main')
  const unknown = 'e'.repeat(40)
  const round = async (haves: string[]): Promise<string> =>
    (await collect(await server.uploadPack(fixture.gitdir, requestBody([main], PLAIN_CAPS, haves, 'flush')))).toString()
  t.equal(await round([unknown]), '0008NAK\n')
  t.equal(
    await round([unknown, c2, c1]),
    `0031ACK ${c2}\n`,
    'only the first common have is acknowledged, even when a later one is its parent',
  )
  t.equal(await round([]), '0008NAK\n')
  // The final request of a clone that found nothing in common: NAK, then the pack.
  const done = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody([main], PLAIN_CAPS, [unknown]))),
    true,
  )
  t.same(done.lines, ['NAK'])
  t.ok(packObjectCount(done.pack) > 0)
})

t.test('multi_ack_detailed rounds: common, ready and NAK as git expects', async (t) => {
  const fixture = await makeFixture(testDir(t))
  const [c1, c2] = fixture.commits as [string, string, string]
  const main = await rev(fixture, 'main')
  const unknown = 'e'.repeat(40)
  const caps = 'multi_ack_detailed side-band-64k'
  const round = async (haves: string[], end: 'flush' | 'done' = 'flush'): Promise<string[]> =>
    decodeResponse(await collect(await server.uploadPack(fixture.gitdir, requestBody([main], caps, haves, end))), true)
      .lines
  t.same(await round([unknown]), ['NAK'])
  t.same(
    await round([c2]),
    [`ACK ${c2} common`, `ACK ${c2} ready`, 'NAK'],
    'every want reaches a common commit and nothing unknown was seen: ready',
  )
  t.same(
    await round([c2, unknown]),
    [`ACK ${c2} common`, `ACK ${unknown} ready`, 'NAK'],
    'an unknown have after the wants are covered is answered ready',
  )
  t.same(await round([unknown, c1]), [`ACK ${c1} common`, 'NAK'], 'unknown haves seen: no ready at the flush')
  t.same(await round([c1, c2], 'done'), [`ACK ${c1} common`, `ACK ${c2} common`, `ACK ${c2}`], 'final ACK after done')
  t.same(await round([], 'done'), ['NAK'])
})

t.test('wants outside the advertised history get an ERR line', async (t) => {
  const fixture = await makeFixture(testDir(t))
  const main = await rev(fixture, 'main')
  const errFor = async (oid: string): Promise<string> =>
    (await collect(await server.uploadPack(fixture.gitdir, requestBody([main, oid], CLONE_CAPS)))).toString()
  t.equal(await errFor(fixture.archiveBlob), `004aERR upload-pack: not our ref ${fixture.archiveBlob}\n`)
  t.match(await errFor('f'.repeat(40)), /^004aERR upload-pack: not our ref f{40}\n$/)
  const tree = await rev(fixture, 'main^{tree}')
  t.match(await errFor(tree), /not our ref/, 'a tree is never a want')
  // An older commit is reachable from main: git's stateless upload-pack serves it, and so do we.
  const older = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody([fixture.commits[0] ?? ''], CLONE_CAPS))),
    true,
  )
  t.same(older.lines, ['NAK'])
  t.ok(packObjectCount(older.pack) > 0)
  // A deleted version's tag object is gone from the advertisement, so no longer served.
  const v3 = await rev(fixture, 'refs/tags/v3')
  await git(['update-ref', '-d', 'refs/tags/v3'], { cwd: fixture.gitdir })
  t.match(await errFor(v3), new RegExp(`not our ref ${v3}`))
})

t.test('haves outside the public history are not acknowledged, so hidden objects stay unknown', async (t) => {
  const fixture = await makeFixture(testDir(t))
  const main = await rev(fixture, 'main')
  const tree = await rev(fixture, 'main^{tree}')
  const round = async (caps: string, haves: string[]): Promise<string[]> =>
    decodeResponse(
      await collect(await server.uploadPack(fixture.gitdir, requestBody([main], caps, haves, 'flush'))),
      true,
    ).lines
  t.same(await round(PLAIN_CAPS, [fixture.archiveBlob]), ['NAK'])
  t.same(await round('multi_ack_detailed', [fixture.archiveBlob, tree]), ['NAK'])
  t.same(await round('multi_ack_detailed', [fixture.commits[0] ?? '']), [
    `ACK ${fixture.commits[0] ?? ''} common`,
    `ACK ${fixture.commits[0] ?? ''} ready`,
    'NAK',
  ])
})

t.test('a big loose object is recompressed as a stream and arrives intact', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  // Incompressible bytes, so that the loose file itself is past the streaming threshold.
  const big = Buffer.alloc(3 * 1024 * 1024)
  for (let i = 0, x = 1; i < big.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    big[i] = x >>> 24
  }
  await addVersion(fixture, 'v4', 1, { 'bundle.bin': big })
  const blob = await rev(fixture, 'main:bundle.bin')
  const looseFile = path.join(fixture.gitdir, 'objects', blob.slice(0, 2), blob.slice(2))
  t.ok((await stat(looseFile)).size > LOOSE_STREAM_BYTES, 'stored loose, past the streaming threshold')
  const oldMain = fixture.commits[2] ?? ''
  const newMain = await rev(fixture, 'main')
  const response = decodeResponse(
    await collect(
      await server.uploadPack(fixture.gitdir, requestBody([newMain], 'side-band-64k ofs-delta', [oldMain])),
    ),
    true,
  )
  const objects = await indexPack(response.pack, path.join(dir, 'scratch.git'))
  t.ok(objects.includes(blob), 'index-pack checked its hash, so its bytes are right')
  t.same(objects, await expectedObjects(fixture.gitdir, [newMain], [oldMain]))
})

t.test('include-tag brings the tags of the commits sent; without it they stay out', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const main = await rev(fixture, 'main')
  const tags = [await rev(fixture, 'refs/tags/v1'), await rev(fixture, 'refs/tags/v3')]
  const withTags = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody([main], 'side-band-64k include-tag'))),
    true,
  )
  const objects = await indexPack(withTags.pack, path.join(dir, 'a.git'))
  t.ok(tags.every((tag) => objects.includes(tag)))
  const without = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody([main], 'side-band-64k'))),
    true,
  )
  const bare = await indexPack(without.pack, path.join(dir, 'b.git'))
  t.notOk(tags.some((tag) => bare.includes(tag)))
  t.same(bare, await expectedObjects(fixture.gitdir, [main]))
})

t.test('deltas stored in packs are reused, by offset or by name, never thin', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} of a file that changes a little each time\n`)
  const firstVersionMain = await rev(fixture, 'main')
  for (let n = 4; n <= 7; n++) {
    lines[n * 100] = `changed in v${n}\n`
    await addVersion(fixture, `v${n}`, 1, { 'data.txt': lines.join('') })
  }
  await git(['gc', '-q', '--aggressive'], { cwd: fixture.gitdir })
  const tips = await advertisedTips(fixture)
  for (const caps of ['side-band-64k ofs-delta', 'side-band-64k']) {
    const body = await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, caps)))
    const response = decodeResponse(body, true)
    const objects = await indexPack(response.pack, path.join(dir, `${caps.length}.git`))
    t.same(objects, await expectedObjects(fixture.gitdir, tips), `${caps}: complete and valid`)
  }
  const withProgress = decodeResponse(
    await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, 'side-band-64k ofs-delta'))),
    true,
  )
  t.match(withProgress.progress, /Total \d+ \(delta [1-9]\d*\)/, 'some deltas were reused')
  // Bases the client already has are not referenced: the delta is resolved and sent whole.
  const v6 = await rev(fixture, 'refs/tags/v6')
  const newest = await rev(fixture, 'main')
  const fetch = decodeResponse(
    await collect(
      await server.uploadPack(
        fixture.gitdir,
        requestBody([newest], 'side-band-64k ofs-delta', [await rev(fixture, 'v6^{commit}')]),
      ),
    ),
    true,
  )
  const fetched = await indexPack(fetch.pack, path.join(dir, 'thin.git'))
  t.same(fetched, await expectedObjects(fixture.gitdir, [newest], [v6]))
  t.not(firstVersionMain, newest)
})

t.test('packs are cached per refs, wants and haves, and dropped when refs change', async (t) => {
  const fixture = await makeFixture(testDir(t))
  const tips = await advertisedTips(fixture)
  const first = await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, CLONE_CAPS)))
  const packsBefore = server.caches.packs.size
  const second = await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, CLONE_CAPS)))
  t.same(second, first, 'the same answer again')
  t.equal(server.caches.packs.size, packsBefore, 'served from the cache, nothing new stored')
  await addVersion(fixture, 'v4')
  const afterChange = await collect(await server.uploadPack(fixture.gitdir, requestBody(tips, CLONE_CAPS)))
  t.same(afterChange, first, 'same wants give the same pack after a ref change')
  t.ok(server.caches.packs.size <= packsBefore, 'but the old entry was dropped and rebuilt')
})

t.test('client garbage is a GitProtocolError, an empty want list an empty answer', async (t) => {
  const fixture = await makeFixture(testDir(t))
  await t.rejects(server.uploadPack(fixture.gitdir, Buffer.from('hello world')), GitProtocolError)
  await t.rejects(server.uploadPack(fixture.gitdir, Buffer.from('0009want\n0000')), GitProtocolError)
  t.equal((await collect(await server.uploadPack(fixture.gitdir, Buffer.from('0000')))).length, 0)
})
