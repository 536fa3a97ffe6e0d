/**
 * Our git core against isomorphic-git's public API, job by job, on the same repositories in the
 * same run: the measurement behind which of the two does each job (see repos/README.md).
 *
 *   npm run bench:git-core    (the same as npm run bench -- --only git-core)
 *
 * Options: BENCH_COMMITS=150 BENCH_ROUNDS=9 (--quick: 60 and 3 unless set). isomorphic-git gets one long-lived `cache` object and,
 * where it writes, the durable fs adapter; ours runs as the engine and the git server run it.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import git from 'isomorphic-git'

import { durableFs } from '../repos/git/isomorphic.js'
import { readLooseObject } from '../repos/git/loose-objects.js'
import { parseCommit, parseTag, parseTree } from '../repos/git/object-formats.js'
import { ObjectWriter } from '../repos/git/object-writer.js'
import { listRefs, readPackedRefs, readRef } from '../repos/git/refs.js'
import { ByteLru } from '../repos/pack/byte-lru.js'
import { listPackNames, ObjectStore } from '../repos/pack/object-store.js'
import { readObject } from '../repos/read-object.js'
import type { Bench, BenchRow } from './bench-row.js'
import { median } from './median.js'

let COMMITS = 150
let ROUNDS = 9
const FILES = 20
const FILE_BYTES = 6 * 1024
/** The whole bench stops here whatever is left: it must never hold up a terminal for long. */
const BUDGET_MS = 40_000
/** isomorphic-git is kept for a job when it takes at most this many times our time. */
const KEEP_RATIO = 1.5
const MiB = 1024 * 1024

let started = performance.now()
let cache = {}

function gitCli(gitdir: string, args: string[], input?: string): string {
  return execFileSync('git', [`--git-dir=${gitdir}`, ...args], {
    input,
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    maxBuffer: 256 * MiB,
  }).toString()
}

/** COMMITS commits on main, each changing two files a little (so repacking finds deltas), each with an annotated tag vN. */
function history(): string {
  const out: string[] = []
  const files = Array.from({ length: FILES }, (_, f) => `file ${f}\n`.repeat(FILE_BYTES / 8))
  for (let n = 1; n <= COMMITS; n++) {
    out.push('commit refs/heads/main', `mark :${n}`, `committer bench <bench@localhost> ${1_700_000_000 + n} +0000`)
    const message = `upload ${n}\n`
    out.push(`data ${Buffer.byteLength(message)}`, message)
    if (n > 1) out.push(`from :${n - 1}`)
    for (const f of [n % FILES, (n * 7) % FILES]) {
      files[f] = `${files[f] ?? ''}line ${n}\n`
      const data = files[f] ?? ''
      out.push(`M 100644 inline src/f${f}.txt`, `data ${Buffer.byteLength(data)}`, data)
    }
    if (n === 1) {
      for (let f = 0; f < FILES; f++) {
        out.push(`M 100644 inline src/f${f}.txt`, `data ${Buffer.byteLength(files[f] ?? '')}`, files[f] ?? '')
      }
    }
    const tagMessage = `version ${n}\n`
    out.push(`tag v${n}`, `from :${n}`, `tagger tagstone <tagstone@localhost> ${1_700_000_000 + n} +0000`)
    out.push(`data ${Buffer.byteLength(tagMessage)}`, tagMessage)
  }
  return `${out.join('\n')}\n`
}

async function buildRepository(root: string, variant: 'loose' | 'packed'): Promise<string> {
  const gitdir = path.join(root, `${variant}.git`)
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', gitdir])
  gitCli(gitdir, ['fast-import', '--quiet'], history())
  if (variant === 'packed') {
    gitCli(gitdir, ['repack', '-q', '-a', '-d', '-f'])
    gitCli(gitdir, ['pack-refs', '--all'])
  } else {
    const packDir = path.join(gitdir, 'objects', 'pack')
    for (const name of (await readdir(packDir)).filter((n) => n.endsWith('.pack'))) {
      const moved = path.join(root, name)
      fs.renameSync(path.join(packDir, name), moved)
      fs.rmSync(path.join(packDir, name.replace(/\.pack$/, '.idx')))
      execFileSync('git', [`--git-dir=${gitdir}`, 'unpack-objects', '-q'], { input: fs.readFileSync(moved) })
    }
  }
  return gitdir
}

/** Object ids by type, as git itself lists them. */
function objectsOf(gitdir: string): Record<'commit' | 'tree' | 'blob' | 'tag', string[]> {
  const out = { commit: [] as string[], tree: [] as string[], blob: [] as string[], tag: [] as string[] }
  const text = gitCli(gitdir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'])
  for (const line of text.trim().split('\n')) {
    const [oid = '', type = ''] = line.split(' ')
    if (type in out) out[type as keyof typeof out].push(oid)
  }
  return out
}

/**
 * Median wall time of one round of each side, after a round of each to warm caches and the JIT.
 * Rounds alternate between the two so that a neighbour's load on the machine falls on both.
 */
async function compare(
  ours: () => Promise<unknown>,
  isomorphic: () => Promise<unknown>,
): Promise<{ ours: number; isomorphic: number }> {
  await ours()
  await isomorphic()
  const times = { ours: [] as number[], isomorphic: [] as number[] }
  for (let i = 0; i < ROUNDS && performance.now() - started < BUDGET_MS; i++) {
    for (const [side, job] of [
      ['ours', ours],
      ['isomorphic', isomorphic],
    ] as const) {
      const start = performance.now()
      await job()
      times[side].push(performance.now() - start)
    }
  }
  return { ours: median(times.ours), isomorphic: median(times.isomorphic) }
}

/** Our own way to the job readRef hands to isomorphic-git once the loose file is missing. */
async function ourResolveRef(gitdir: string, ref: string): Promise<string | null> {
  try {
    return (await readFile(path.join(gitdir, ref), 'utf8')).trim()
  } catch {
    return (await readPackedRefs(gitdir)).find((packed) => packed.name === ref)?.oid ?? null
  }
}

const each = async <T>(items: T[], f: (item: T) => Promise<unknown>) => {
  for (const item of items) await f(item)
}

interface Row {
  job: string
  ours: number
  isomorphic: number
  /** Why our code does the job whatever the figures, if it must. */
  forced?: string
}

async function measure(): Promise<Row[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-git-core-'))
  const rows: Row[] = []
  try {
    const loose = await buildRepository(root, 'loose')
    const packed = await buildRepository(root, 'packed')
    const looseObjects = objectsOf(loose)
    const packedObjects = objectsOf(packed)
    const packedAll = [...packedObjects.commit, ...packedObjects.tree, ...packedObjects.blob, ...packedObjects.tag]
    const packNames = await listPackNames(packed)
    const packBlocks = new ByteLru<Buffer>(32 * MiB)
    const iso = (gitdir: string, oid: string) => git.readObject({ fs, gitdir, oid, format: 'content', cache })
    const blobs = looseObjects.blob.slice(0, 200)
    const coldBlobs = packedObjects.blob.slice(0, 20)

    rows.push({
      job: 'read a loose object (blobs)',
      ...(await compare(
        () => each(blobs, (oid) => readLooseObject(loose, oid)),
        () => each(blobs, (oid) => iso(loose, oid)),
      )),
    })
    rows.push({
      job: 'read packed objects (all, deltas included)',
      // A fresh object cache each round: only the pack blocks stay, as isomorphic-git keeps its pack.
      ...(await compare(
        async () => {
          const store = await ObjectStore.open(packed, packNames, new ByteLru(32 * MiB), packBlocks)
          await each(packedAll, (oid) => store.read(oid))
          store.retire()
        },
        () => each(packedAll, (oid) => iso(packed, oid)),
      )),
    })
    rows.push({
      job: 'read a packed object cold, nothing kept (20 blobs)',
      ...(await compare(
        () =>
          each(coldBlobs, async (oid) => {
            const once = await ObjectStore.open(packed, await listPackNames(packed), new ByteLru(MiB), new ByteLru(MiB))
            await once.read(oid)
            once.retire()
          }),
        () => each(coldBlobs, (oid) => git.readObject({ fs, gitdir: packed, oid, cache: {} })),
      )),
    })
    const tagRefs = Array.from({ length: COMMITS }, (_, i) => `refs/tags/v${i + 1}`)
    for (const [variant, gitdir] of [
      ['loose', loose],
      ['packed', packed],
    ] as const) {
      rows.push({
        job: `resolve a ref, ${variant} (every tag)`,
        ...(await compare(
          () => each(tagRefs, (ref) => ourResolveRef(gitdir, ref)),
          () => each(tagRefs, (ref) => git.resolveRef({ fs, gitdir, ref, depth: 1 })),
        )),
      })
    }
    rows.push({
      job: 'list tag refs with their oids, packed-refs',
      ...(await compare(
        () => listRefs(packed, 'refs/tags/'),
        async () => {
          const names = await git.listRefs({ fs, gitdir: packed, filepath: 'refs/tags' })
          return await Promise.all(
            names.map((name) => git.resolveRef({ fs, gitdir: packed, ref: `refs/tags/${name}`, depth: 1 })),
          )
        },
      )),
    })
    const parseJobs = [
      ['commit', looseObjects.commit, parseCommit, (oid: string) => git.readCommit({ fs, gitdir: loose, oid, cache })],
      ['tag', looseObjects.tag, parseTag, (oid: string) => git.readTag({ fs, gitdir: loose, oid, cache })],
      ['tree', looseObjects.tree, parseTree, (oid: string) => git.readTree({ fs, gitdir: loose, oid, cache })],
    ] as const
    for (const [type, oids, parse, theirs] of parseJobs) {
      rows.push({
        job: `read + parse a ${type}`,
        ...(await compare(
          () => each(oids.slice(0, 200), async (oid) => parse((await readObject(loose, oid)).content)),
          () => each(oids.slice(0, 200), theirs),
        )),
      })
    }
    const writes = Array.from({ length: 50 }, (_, i) => Buffer.from(`bench write ${i} ${Math.random()}\n`.repeat(40)))
    const adapter = durableFs(loose)
    rows.push({
      job: 'hash + write objects durably (50 blobs)',
      forced: 'ObjectWriter syncs each folder once per batch, and re-syncs the folder of an object already there',
      ...(await compare(
        async () => {
          const writer = new ObjectWriter(loose)
          await each(writes, (content) =>
            writer.write('blob', Buffer.concat([content, Buffer.from(`${Math.random()}`)])),
          )
          await writer.flush()
        },
        () =>
          each(writes, (content) =>
            git.writeObject({
              fs: adapter,
              gitdir: loose,
              type: 'blob',
              object: Buffer.concat([content, Buffer.from(`${Math.random()}`)]),
              format: 'content',
            }),
          ),
      )),
    })
    rows.push({
      job: "walk main's history (first parents)",
      ...(await compare(
        async () => {
          let at = await readRef(loose, 'refs/heads/main')
          while (at) at = parseCommit((await readObject(loose, at)).content).parents[0] ?? null
        },
        () => git.log({ fs, gitdir: loose, ref: 'main', cache }),
      )),
    })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  return rows
}

/**
 * One row per job: our time against isomorphic-git's. Ours does a job when isomorphic-git takes
 * more than KEEP_RATIO times as long (ratio below 1/KEEP_RATIO), or when it must (the target says
 * why). Our git core alone serves packs: isomorphic-git has no upload-pack server and no
 * streaming pack writer, so there is nothing to compare that with.
 */
export const bench: Bench = async ({ quick }) => {
  COMMITS = Number(process.env.BENCH_COMMITS ?? (quick ? 60 : 150))
  ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 9))
  started = performance.now()
  cache = {}
  return (await measure()).map((row): BenchRow => {
    const ratio = row.ours / row.isomorphic
    return {
      figure: `git core (${COMMITS} commits): ${row.job}`,
      value: Number(row.ours.toFixed(1)),
      unit: 'ms',
      baseline: { label: 'isomorphic-git', value: Number(row.isomorphic.toFixed(1)) },
      ratio,
      target: row.forced ?? `ours does it when <= ${(1 / KEEP_RATIO).toFixed(2)}x`,
      // A decision between two implementations, not a target to meet.
      met: null,
    }
  })
}
