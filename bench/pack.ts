/**
 * Packed repositories against C git on the same history (100 versions of a ~1 MiB function, every
 * object loose as tagstone writes them): the pack `tagstone admin gc` writes against
 * `git repack -a -d -f --window=10`, then clones of each packed repository from tagstone's git
 * server and from `git http-backend`: bytes sent (the pack the clone keeps) and clone time.
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { repack } from '../repos/pack/repack.js'
import { GitServer } from '../repos/smart-http/git-server.js'
import type { Bench, BenchRow } from './bench-row.js'
import { buildRepository, cloneTime, run, startHttpBackend, startTagstone } from './git-http.js'
import { median } from './median.js'

async function packBytes(gitdir: string): Promise<number> {
  const dir = path.join(gitdir, 'objects', 'pack')
  let total = 0
  for (const name of await readdir(dir)) if (name.endsWith('.pack')) total += (await stat(path.join(dir, name))).size
  return total
}

/** A row whose ratio is tagstone over C git; without a target it is shown for information. */
function row(figure: string, value: number, unit: string, label: string, base: number, target?: number): BenchRow {
  const ratio = value / base
  return {
    figure,
    value,
    unit,
    baseline: { label, value: base },
    ratio,
    target: target === undefined ? '(none)' : `<= ${target}x`,
    met: target === undefined ? null : ratio <= target,
  }
}

/** Clone times and the bytes a clone keeps, from tagstone's git server and from `git http-backend`. */
async function clones(
  root: string,
  gitdir: string,
  theirsRoot: string,
  runs: number,
): Promise<{ oursCold: number; oursWarm: number; theirs: number; oursBytes: number; theirsBytes: number }> {
  // A server of its own for each phase: nothing cached from the other.
  const ours = await startTagstone(gitdir, new GitServer())
  const theirs = await startHttpBackend(theirsRoot)
  try {
    let n = 0
    const next = (): string => path.join(root, `clone-${Date.now()}-${n++}`)
    const oursCloneDir = next()
    const oursCold = await cloneTime(ours.url, oursCloneDir, root)
    const theirsCloneDir = next()
    const theirsTimes = [await cloneTime(theirs.url, theirsCloneDir, root)]
    const oursWarm: number[] = []
    for (let i = 0; i < runs; i++) {
      oursWarm.push(await cloneTime(ours.url, next(), root))
      theirsTimes.push(await cloneTime(theirs.url, next(), root))
    }
    return {
      oursCold,
      oursWarm: median(oursWarm),
      theirs: median(theirsTimes),
      oursBytes: await packBytes(path.join(oursCloneDir, '.git')),
      theirsBytes: await packBytes(path.join(theirsCloneDir, '.git')),
    }
  } finally {
    await ours.close()
    await theirs.close()
  }
}

export const bench: Bench = async ({ quick }) => {
  const commits = quick ? 30 : 100
  const runs = quick ? 3 : 5
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-pack-'))
  try {
    const gitdir = await buildRepository(root, 'loose', commits)
    const theirsRoot = path.join(root, 'cgit')
    const theirsGitdir = path.join(theirsRoot, path.basename(gitdir))
    await cp(gitdir, theirsGitdir, { recursive: true })
    const label = `C git, ${commits} versions`
    const http = `${label}: git http-backend`

    // Never gc'd: every object loose, as tagstone writes them; http-backend searches deltas as it packs.
    const loose = await clones(root, gitdir, theirsRoot, runs)

    const ourStart = performance.now()
    await repack(gitdir, { all: true })
    const ourGcMs = performance.now() - ourStart
    const theirGcMs = (await run(['repack', '-q', '-a', '-d', '-f', '--window=10'], theirsGitdir)).ms
    const ourPack = await packBytes(gitdir)
    const theirPack = await packBytes(theirsGitdir)
    const packed = await clones(root, gitdir, theirsRoot, runs)
    return [
      row("clone never gc'd: bytes sent", loose.oursBytes, 'B', http, loose.theirsBytes, 1.1),
      row("clone never gc'd, warm", loose.oursWarm, 'ms', http, loose.theirs, 1),
      row("clone never gc'd, cold", loose.oursCold, 'ms', http, loose.theirs, 2),
      row(`pack after gc, ${commits} versions (bytes)`, ourPack, 'B', `${label}: git repack -adf`, theirPack, 1.1),
      row('gc time', ourGcMs, 'ms', `${label}: git repack -adf`, theirGcMs),
      row('clone after gc: bytes sent', packed.oursBytes, 'B', http, packed.theirsBytes, 1.1),
      row('clone after gc, warm', packed.oursWarm, 'ms', http, packed.theirs, 1),
      row('clone after gc, cold', packed.oursCold, 'ms', http, packed.theirs, 2),
    ]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
