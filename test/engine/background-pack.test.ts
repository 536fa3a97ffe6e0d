import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import t from 'tap'

import { openEngine } from '../../engine/engine.js'
import type { RepackResult } from '../../repos/pack/repack.js'
import { git } from '../helpers/git.js'
import { makeZip } from '../helpers/zip.js'
import { ADMIN } from './admin/fixture.js'

const pkg = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])

/** `git count-objects -v` as numbers: `count` loose objects, `packs`. */
async function countObjects(gitdir: string): Promise<Record<string, number>> {
  const out = await git(gitdir, 'count-objects', '-v')
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.split(':')[0]!, Number(l.split(':')[1])]),
  )
}

t.test(
  "a function's loose objects are packed once its writes settle; clones and fsck see the same history",
  async (t) => {
    const reports: Array<[string, RepackResult | Error]> = []
    const engine = await openEngine({
      dataDir: t.testdir(),
      packAfterMs: 1000,
      onPack: (id, outcome) => reports.push([id, outcome]),
    })
    t.teardown(() => engine.close())
    const fn = await engine.createFunction(ADMIN, {
      fields: {},
      code: JSON.stringify({ source: 'package' }),
      package: pkg(0),
    })
    for (let n = 1; n <= 3; n++) {
      await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: pkg(n) })
      await engine.createVersion(ADMIN, fn.id, { description: `v${n}` })
    }
    const gitdir = engine.deps.repos.gitdir(fn.id)
    t.ok((await countObjects(gitdir)).count! > 0, 'loose objects before')
    // Bounded by work, with a generous deadline: the pack runs once the writes have been quiet for a
    // second. A pack removes the loose objects before it reports, so wait for both.
    const deadline = Date.now() + 60_000
    const looseRefs = () => readdirSync(join(gitdir, 'refs')).length
    while (
      (reports.length === 0 || (await countObjects(gitdir)).count !== 0 || looseRefs() > 0) &&
      Date.now() < deadline
    ) {
      await sleep(100)
    }
    const after = await countObjects(gitdir)
    t.equal(after.count, 0, 'no loose object left')
    t.ok(after.packs! >= 1, 'in a pack')
    t.equal((await git(gitdir, 'fsck', '--strict', '--no-dangling')).trim(), '', 'git fsck is clean')
    t.match(await git(gitdir, 'tag', '-l'), /v1\nv2\nv3/)
    t.equal(looseRefs(), 0, 'the refs went into packed-refs, their folders with them')
    t.match(readFileSync(join(gitdir, 'packed-refs'), 'utf8'), /refs\/heads\/main\n[^]*refs\/tags\/v3\n/)
    // The engine still reads what it wrote, now from the pack.
    t.equal((await engine.downloadVersion(ADMIN, fn.id, 2)).bytes.equals(pkg(2)), true, 'v2 downloads from the pack')
    // Writes go on after a pack: a new version on top of packed history.
    await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: pkg(4) })
    t.equal((await engine.createVersion(ADMIN, fn.id, {})).version_number, 4)
    // Stopping waits for a pack under way (its report comes in) and drops the one v4 scheduled.
    await engine.stopBackground()
    const packs = reports.length
    t.ok(packs >= 1 && packs < 7, `fewer packs than writes (${packs} for 7)`)
    for (const [id, outcome] of reports) {
      t.equal(id, fn.id)
      t.match(outcome, { status: 'packed', refsPacked: Number })
    }
    await sleep(1200)
    t.equal(reports.length, packs, 'once stopped, a pending pack never runs')
  },
)

t.test('without packAfterMs nothing is packed in the background', async (t) => {
  const engine = await openEngine({ dataDir: t.testdir() })
  t.teardown(() => engine.close())
  const fn = await engine.createFunction(ADMIN, {
    fields: {},
    code: JSON.stringify({ source: 'package' }),
    package: pkg(0),
  })
  await sleep(200)
  t.equal((await countObjects(engine.deps.repos.gitdir(fn.id))).packs, 0)
  await engine.stopBackground()
})
