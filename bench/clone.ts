/**
 * Clone and fetch times from tagstone's git server against C git's `git http-backend` serving the
 * same bare repository, both on loopback, both driven by the real git client.
 *
 *   npm run bench:clone    (the same as npm run bench -- --only clone)
 *
 * Options: BENCH_COMMITS=100 BENCH_RUNS=5 BENCH_VARIANTS=loose,packed, BENCH_KEEP=1 to leave the
 * repositories behind for inspection; --quick makes 30 commits and 2 runs unless they are set.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { GitServer } from '../repos/smart-http/git-server.js'
import type { Bench, BenchRow } from './bench-row.js'
import { addVersion, buildRepository, cloneTime, run, startHttpBackend, startTagstone } from './git-http.js'
import { median } from './median.js'

let COMMITS = 100
let RUNS = 5
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'loose,packed').split(',')

async function benchVariant(variant: string): Promise<Array<[string, number, number, number]>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-'))
  try {
    const gitdir = await buildRepository(root, variant, COMMITS)
    // A server of its own for each variant: every variant starts from empty caches.
    const ours = await startTagstone(gitdir, new GitServer())
    const theirs = await startHttpBackend(path.join(root, 'repos'))
    try {
      let clones = 0
      const next = (): string => path.join(root, `clone-${clones++}`)
      const oursCold = await cloneTime(ours.url, next(), root)
      const theirsFirst = await cloneTime(theirs.url, next(), root)
      const oursWarm: number[] = []
      const theirsWarm: number[] = [theirsFirst]
      for (let i = 0; i < RUNS; i++) {
        oursWarm.push(await cloneTime(ours.url, next(), root))
        theirsWarm.push(await cloneTime(theirs.url, next(), root))
      }
      const oursClone = path.join(root, 'clone-0')
      const theirsClone = path.join(root, 'clone-1')
      const oursFetch: number[] = []
      const theirsFetch: number[] = []
      for (let i = 1; i <= RUNS; i++) {
        await addVersion(gitdir, COMMITS + i)
        oursFetch.push((await run(['fetch', '-q', '--tags'], oursClone)).ms)
        theirsFetch.push((await run(['fetch', '-q', '--tags'], theirsClone)).ms)
      }
      const check =
        (await run(['rev-parse', 'origin/main'], oursClone)).stdout.trim() ===
        (await run(['rev-parse', 'main'], gitdir)).stdout.trim()
      if (!check) throw new Error('the tagstone clone did not end up at main')
      return [
        ['clone, cold (first request)', oursCold, median(theirsWarm), 3],
        [`clone, warm (median of ${RUNS})`, median(oursWarm), median(theirsWarm), 1],
        [`fetch 1 commit + tag (median of ${RUNS})`, median(oursFetch), median(theirsFetch), 2],
      ]
    } finally {
      await ours.close()
      await theirs.close()
    }
  } finally {
    if (process.env.BENCH_KEEP === '1') process.stdout.write(`kept ${root}\n`)
    else await rm(root, { recursive: true, force: true })
  }
}

/**
 * Rows per variant: ours against `git http-backend`. http-backend keeps nothing between requests,
 * so both clone rows compare with the median of all its clones.
 */
export const bench: Bench = async ({ quick }) => {
  COMMITS = Number(process.env.BENCH_COMMITS ?? (quick ? 30 : 100))
  RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 2 : 5))
  const rows: BenchRow[] = []
  for (const variant of VARIANTS) {
    for (const [what, ours, theirs, target] of await benchVariant(variant)) {
      const ratio = ours / theirs
      rows.push({
        figure: `clone bench, ${variant} repository (${COMMITS} commits): ${what}`,
        value: Math.round(ours),
        unit: 'ms',
        baseline: { label: 'git http-backend', value: Math.round(theirs) },
        ratio,
        target: `<= ${target}x`,
        met: ratio <= target,
      })
    }
  }
  return rows
}
