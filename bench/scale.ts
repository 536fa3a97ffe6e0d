/**
 * 10,000 functions of 10 versions each against 10 functions, same run: start time until the
 * server answers, RSS after start, list and show latency.
 *
 * One function of 10 versions is made through the engine; the others are copies of it, made the
 * way the engine would leave them but without paying 10,000 times for its fsyncs: its rows copied
 * in one SQLite transaction (fresh ids), its repository hard-linked file by file (git objects are
 * immutable, so sharing their inodes changes nothing that is read).
 */
import { randomUUID } from 'node:crypto'
import { linkSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { databasePath, openEngine } from '../engine/engine.js'
import { openTokenStore } from '../engine/open-token-store.js'
import { openDatabase } from '../engine/store/open-database.js'
import type { Bench, BenchRow } from './bench-row.js'
import { functionWithVersions } from './fixtures.js'
import { median } from './median.js'
import { startTagstone } from './serve-process.js'

const VERSIONS = 10
const MiB = 1024 * 1024

interface Figures {
  startMs: number
  rssBytes: number
  listMs: number
  listCount: number
  showMs: number
}

/** Every file under `dir`, as paths relative to it, folders first. */
function filesUnder(dir: string, prefix = ''): { dirs: string[]; files: string[] } {
  const out = { dirs: [] as string[], files: [] as string[] }
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name)
    if (entry.isDirectory()) {
      out.dirs.push(rel)
      const inner = filesUnder(dir, rel)
      out.dirs.push(...inner.dirs)
      out.files.push(...inner.files)
    } else out.files.push(rel)
  }
  return out
}

/** A data folder of `count` functions of VERSIONS versions, and a member token for it. */
async function buildStore(dataDir: string, count: number): Promise<{ token: string; someId: string }> {
  const engine = await openEngine({ dataDir })
  let template: string
  try {
    template = await functionWithVersions(engine, VERSIONS, 'template')
  } finally {
    engine.close()
  }
  const db = openDatabase(databasePath(dataDir))
  const ids = Array.from({ length: count - 1 }, () => randomUUID())
  try {
    // Every column as the template has it but the ones named: the copies follow the schema as it grows.
    const copyRows = (table: string, key: string, replaced: Record<string, string>) => {
      const names = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map(
        (c) => c.name,
      )
      const values = names.map((c) => replaced[c] ?? c)
      return db.prepare(`INSERT INTO ${table} (${names.join(', ')}) SELECT ${values.join(', ')}
        FROM ${table} WHERE ${key} = @template`)
    }
    const copyFunction = copyRows('functions', 'id', { id: '@id', name: "'copy'" })
    const copyPackages = copyRows('packages', 'function_id', { function_id: '@id' })
    const versions = db.prepare(`SELECT * FROM versions WHERE function_id = ?`).all(template) as Array<
      Record<string, unknown>
    >
    const columns = Object.keys(versions[0]!)
    const insertVersion = db.prepare(
      `INSERT INTO versions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    )
    db.transaction(() => {
      for (const id of ids) {
        copyFunction.run({ id, template })
        copyPackages.run({ id, template })
        for (const v of versions) insertVersion.run({ ...v, id: randomUUID(), function_id: id })
      }
    })()
  } finally {
    db.close()
  }
  const repos = path.join(dataDir, 'repos')
  const source = path.join(repos, `${template}.git`)
  const tree = filesUnder(source)
  for (const id of ids) {
    const target = path.join(repos, `${id}.git`)
    mkdirSync(target)
    for (const dir of tree.dirs) mkdirSync(path.join(target, dir))
    for (const file of tree.files) linkSync(path.join(source, file), path.join(target, file))
  }
  const tokens = openTokenStore(dataDir)
  try {
    return { token: tokens.createToken({ projectId: 'default', label: 'bench' }).token, someId: ids[0] ?? template }
  } finally {
    tokens.close()
  }
}

/** Resident set size of a process, from /proc (Linux). */
function rssOf(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return line ? Number(line[1]) * 1024 : NaN
}

async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; body: unknown }> {
  const started = performance.now()
  const answer = await fetch(url, { headers })
  const body: unknown = await answer.json()
  const ms = performance.now() - started
  if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${JSON.stringify(body)}`)
  return { ms, body }
}

async function measure(count: number, quick: boolean): Promise<Figures> {
  const root = await mkdtemp(path.join(os.tmpdir(), `tagstone-bench-scale-${count}-`))
  try {
    const dataDir = path.join(root, 'data')
    const { token, someId } = await buildStore(dataDir, count)
    const headers = { 'x-auth-token': token }
    // Start ends with the first answer to a request that reads the store; the median of a few starts.
    const starts: number[] = []
    for (let i = 1; i < (quick ? 1 : 3); i++) {
      const once = await startTagstone(dataDir)
      try {
        starts.push(once.startMs + (await timed(`${once.url}/v1/functions/${someId}`, headers)).ms)
      } finally {
        await once.stop()
      }
    }
    const server = await startTagstone(dataDir)
    try {
      starts.push(server.startMs + (await timed(`${server.url}/v1/functions/${someId}`, headers)).ms)
      const startMs = median(starts)
      const rssBytes = rssOf(server.pid)
      const lists: number[] = []
      let listCount = 0
      // The first pages compile the list's code paths and read SQLite's pages in; the start figure
      // already covers a first answer, so these two are left out, as the write path leaves out its first creates.
      for (let i = 0; i < 2; i++) await timed(`${server.url}/v1/functions?limit=1000`, headers)
      // A page of 1,000, the first and then the one after it (keyset: as fast deep in the list as at its start).
      for (let i = 0; i < (quick ? 3 : 7); i++) {
        const first = await timed(`${server.url}/v1/functions?limit=1000`, headers)
        const { functions, next } = first.body as { functions: unknown[]; next?: string }
        lists.push(first.ms)
        listCount = functions.length
        if (next) lists.push((await timed(`${server.url}${next}`, headers)).ms)
      }
      const shows: number[] = []
      for (let i = 0; i < (quick ? 50 : 200); i++) {
        shows.push((await timed(`${server.url}/v1/functions/${someId}/versions/${VERSIONS / 2}`, headers)).ms)
      }
      return { startMs, rssBytes, listMs: median(lists), listCount, showMs: median(shows) }
    } finally {
      await server.stop()
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

/** "Flat in the number of functions": at most this many times the figure at 10 functions. */
const FLAT = 1.5

export const bench: Bench = async ({ quick }) => {
  const many = quick ? 2_000 : 10_000
  const small = await measure(10, quick)
  const large = await measure(many, quick)
  const label = `${many.toLocaleString('en')} functions x ${VERSIONS} versions`
  const baseline = (value: number) => ({ label: '10 functions', value })
  const flat = (ours: number, theirs: number) => ours / theirs
  return [
    {
      figure: `${label}: start until the first answer`,
      value: Math.round(large.startMs),
      unit: 'ms',
      baseline: baseline(Math.round(small.startMs)),
      ratio: flat(large.startMs, small.startMs),
      target: `< 1 s, <= ${FLAT}x (flat)`,
      met: large.startMs < 1000 && flat(large.startMs, small.startMs) <= FLAT,
    },
    {
      figure: `${label}: RSS after start`,
      value: Math.round(large.rssBytes / MiB),
      unit: 'MiB',
      baseline: baseline(Math.round(small.rssBytes / MiB)),
      ratio: flat(large.rssBytes, small.rssBytes),
      target: '< 150 MiB',
      met: large.rssBytes < 150 * MiB,
    },
    {
      figure: `${label}: GET /v1/functions?limit=1000 (pages of ${large.listCount})`,
      value: Number(large.listMs.toFixed(1)),
      unit: 'ms',
      baseline: baseline(Number(small.listMs.toFixed(1))),
      ratio: flat(large.listMs, small.listMs),
      target: 'a page of 1,000 < 20 ms',
      met: large.listMs < 20,
    },
    {
      figure: `${label}: GET version`,
      value: Number(large.showMs.toFixed(2)),
      unit: 'ms',
      baseline: baseline(Number(small.showMs.toFixed(2))),
      ratio: flat(large.showMs, small.showMs),
      target: `<= ${FLAT}x (flat)`,
      met: flat(large.showMs, small.showMs) <= FLAT,
    },
  ] satisfies BenchRow[]
}
