/**
 * A big upload: a zip of 2,000 files (8 MiB) sent to the real server (in this process, over a
 * socket, no auth) as a new function, against C git doing the same work on the same zip in a new
 * repository: unzip, `git add -A`, `git commit`, `git hash-object -w` of the zip, with
 * `core.fsync=all` so that both make their writes durable. Alternating runs, medians.
 *
 *   npm run bench -- --only upload
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { openEngine } from '../engine/engine.js'
import { buildApp } from '../server/app.js'
import type { Bench, BenchRow } from './bench-row.js'
import { median } from './median.js'

const FILES = 2000
const FILE_BYTES = 4 * 1024

/** The package: 2,000 files of random bytes in 40 folders, zipped by python3's zipfile (random bytes stay 8 MiB). */
function makePackage(dir: string): Buffer {
  const tree = path.join(dir, 'tree')
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(tree, `dir${i % 40}`)
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, `file${i}.bin`), randomBytes(FILE_BYTES))
  }
  const zip = path.join(dir, 'package.zip')
  const folders = Array.from({ length: 40 }, (_, i) => `dir${i}`)
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, ...folders], { cwd: tree })
  return readFileSync(zip)
}

/** C git's side, timed: unzip into a work tree, add, commit, and store the zip itself as a blob. */
function cGitUpload(root: string, zip: string, round: number): number {
  const repo = path.join(root, `c-git-${round}`)
  mkdirSync(repo)
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'core.fsync=all', '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args],
      {
        cwd: repo,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      },
    )
  git('init', '-q')
  const started = performance.now()
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, '.'], { cwd: repo })
  git('add', '-A')
  git('commit', '-q', '-m', 'upload')
  git('hash-object', '-w', zip)
  return performance.now() - started
}

async function tagstoneUpload(url: string, zip: Buffer, round: number): Promise<number> {
  const form = new FormData()
  form.append('name', `big-${round}`)
  form.append('runtime_id', 'python3')
  form.append('code', JSON.stringify({ source: 'package' }))
  form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  const started = performance.now()
  const res = await fetch(`${url}/v1/functions`, { method: 'POST', body: form })
  await res.text()
  const ms = performance.now() - started
  if (res.status !== 201) throw new Error(`function create: ${res.status}`)
  return ms
}

export const bench: Bench = async ({ quick }) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-upload-'))
  const engine = await openEngine({ dataDir: path.join(root, 'data') })
  const app = await buildApp({ engine })
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const zip = makePackage(root)
    const zipPath = path.join(root, 'package.zip')
    // The first run of each warms the JIT, the page cache and git's own start-up.
    await tagstoneUpload(url, zip, 0)
    cGitUpload(root, zipPath, 0)
    const ours: number[] = []
    const theirs: number[] = []
    for (let round = 1; round <= (quick ? 1 : 3); round++) {
      ours.push(await tagstoneUpload(url, zip, round))
      theirs.push(cGitUpload(root, zipPath, round))
    }
    const value = median(ours)
    const baseline = median(theirs)
    const row: BenchRow = {
      figure: `upload of a ${FILES}-file ${(zip.length / 1024 / 1024).toFixed(1)} MiB zip (a new function, over HTTP)`,
      value,
      unit: 'ms',
      baseline: { label: 'C git: unzip, add, commit, hash-object the zip, core.fsync=all', value: baseline },
      ratio: value / baseline,
      target: '<= 0.5x',
      met: value / baseline <= 0.5,
    }
    return [row]
  } finally {
    await app.close()
    engine.close()
    await rm(root, { recursive: true, force: true })
  }
}
