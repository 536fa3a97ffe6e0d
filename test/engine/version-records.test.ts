import t, { type Test } from 'tap'

import { openEngine } from '../../engine/engine.js'
import { presentVersion } from '../../engine/present.js'
import { VersionRecords } from '../../engine/version-records.js'
import { ADMIN, packageZip } from './admin/fixture.js'

/** A new engine with one function of `versions` versions (`v1`, `v2`, ...), each on its own package. */
async function engineWithVersions(t: Test, versions: number) {
  const engine = await openEngine({ dataDir: t.testdir() })
  t.teardown(() => engine.close())
  const fn = await engine.createFunction(ADMIN, {
    fields: { name: 'cached', runtime_id: 'python3', entry: 'main.main' },
    code: JSON.stringify({ source: 'package' }),
    package: packageZip(0),
  })
  for (let n = 1; n <= versions; n++) {
    if (n > 1) await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: packageZip(n) })
    await engine.createVersion(ADMIN, fn.id, { description: `v${n}` })
  }
  return { engine, fn }
}

/**
 * The answers a show or list gives come from VersionRecords when it has them. Whatever changes a
 * version, they must equal the answers built from its row as it is now: the proof that every such
 * change bumps the revision the cache is keyed by.
 */
t.test('every change to a version is seen by the next show and list', async (t) => {
  const { engine, fn } = await engineWithVersions(t, 4)
  const fromRows = () =>
    engine.deps.sql.liveVersionsUp({ function_id: fn.id, after: 0, limit: -1 }).map((row) => presentVersion(row))
  const hits = () => engine.stats().caches.find((c) => c.cache === 'version_records')!.hits

  const check = (step: string) => {
    const now = fromRows()
    t.same(engine.listVersions(ADMIN, fn.id).items, now, `${step}: the whole list`)
    t.same(engine.listVersions(ADMIN, fn.id, { sort_dir: 'desc' }).items, [...now].reverse(), `${step}: descending`)
    t.same(
      engine.listVersions(ADMIN, fn.id, { limit: '2', marker: '1' }).items,
      now.filter((v) => v.version_number > 1).slice(0, 2),
      `${step}: a page`,
    )
    for (const v of now)
      t.same(engine.getVersion(ADMIN, fn.id, v.version_number), v, `${step}: show ${v.version_number}`)
  }

  check('made')
  const before = hits()
  check('read again')
  t.ok(hits() > before, 'the second reads were answered from the cache')

  engine.detachVersion(ADMIN, fn.id, 2)
  check('version 2 detached')
  t.equal(engine.getVersion(ADMIN, fn.id, 2).status, 'detached')
  await engine.downloadVersion(ADMIN, fn.id, 2)
  check('version 2 downloaded, so attached again')
  t.equal(engine.getVersion(ADMIN, fn.id, 2).status, 'available')
  await engine.deleteVersion(ADMIN, fn.id, 3)
  check('version 3 deleted')
  t.same(
    engine.listVersions(ADMIN, fn.id).items.map((v) => v.version_number),
    [1, 2, 4],
  )
  await t.rejects(async () => engine.getVersion(ADMIN, fn.id, 3), { code: 'VERSION_NOT_FOUND' })
  await engine.restoreVersion(ADMIN, fn.id, 1)
  await engine.createVersion(ADMIN, fn.id, { description: 'v5' })
  check('version 1 restored and made again as 5')
  await engine.updateFunction(ADMIN, fn.id, { fields: { version_retention: 2 } })
  await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: packageZip(6) })
  await engine.createVersion(ADMIN, fn.id, { description: 'v6' })
  check('pruned to the newest 2')
  t.same(
    engine.listVersions(ADMIN, fn.id).items.map((v) => v.version_number),
    [5, 6],
  )
})

t.test('the cache keeps at most its bytes, and a version it dropped is built again', async (t) => {
  const { engine, fn } = await engineWithVersions(t, 5)
  const records = new VersionRecords(3 * 1024)
  const rows = engine.deps.sql.liveVersionsUp({ function_id: fn.id, after: 0, limit: -1 })
  const keys = rows.map((r) => ({ id: r.id, revision: r.revision }))
  let reads = 0
  const read = () => (reads++, rows)
  t.same(records.of(keys, read), rows.map(presentVersion))
  t.equal(reads, 1, 'built from the rows')
  t.ok(records.stats().bytes <= 3 * 1024, 'within its bound')
  t.same(records.of(keys.slice(3), read), rows.slice(3).map(presentVersion))
  t.equal(reads, 1, 'the newest are kept')
  t.same(
    records.of(keys.slice(0, 1), () => (reads++, rows.slice(0, 1))),
    rows.slice(0, 1).map(presentVersion),
  )
  t.equal(reads, 2, 'the oldest was dropped, and is built again')
  t.same(
    records.of([{ ...keys[4]!, revision: keys[4]!.revision + 1 }], () => (reads++, rows.slice(4))),
    [presentVersion(rows[4]!)],
  )
  t.equal(reads, 3, 'another revision is another answer')
})
