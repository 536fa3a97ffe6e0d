/**
 * The write path: version create latency in units of one 4 KiB write+fsync on the same disk,
 * measured in the same run (so a slow or busy disk moves both), its p99/p50, and
 * (upload + version create) pairs per second with 8 functions written in parallel. The real
 * server on a real socket, no auth, a fresh data directory under the OS temp folder.
 *
 *   npm run bench:write-path            (-- --quick for fewer rounds)
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { openEngine } from '../engine/engine.js'
import { durableSyncStats } from '../repos/durable-fs.js'
import { buildApp } from '../server/app.js'
import type { Bench, BenchRow } from './bench-row.js'
import { packageZip } from './fixtures.js'

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

/** One 4 KiB write + fsync, appended to a file in the data directory: the disk's unit of durability. */
function fsyncUnitMs(dir: string, rounds: number): number {
  const fd = openSync(path.join(dir, 'fsync-probe'), 'w')
  const block = Buffer.alloc(4096, 7)
  const times: number[] = []
  try {
    for (let i = 0; i < rounds; i++) {
      const started = performance.now()
      writeSync(fd, block)
      fsyncSync(fd)
      times.push(performance.now() - started)
    }
  } finally {
    closeSync(fd)
  }
  return median(times)
}

async function createFunction(url: string, name: string): Promise<string> {
  const form = new FormData()
  form.append('name', `bench-${name}`)
  form.append('runtime_id', 'python3')
  form.append('code', JSON.stringify({ source: 'package' }))
  form.append('package', new Blob([new Uint8Array(packageZip(0))]), 'package.zip')
  const res = await fetch(`${url}/v1/functions`, { method: 'POST', body: form })
  if (res.status !== 201) throw new Error(`function create: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** Package `n` (1 and up: 0 is the function's first). */
async function upload(url: string, id: string, n: number): Promise<void> {
  const form = new FormData()
  form.append('package', new Blob([new Uint8Array(packageZip(n))]), 'package.zip')
  const res = await fetch(`${url}/v1/functions/${id}`, { method: 'PUT', body: form })
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`)
}

async function createVersion(url: string, id: string): Promise<void> {
  const res = await fetch(`${url}/v1/functions/${id}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"description": "bench"}',
  })
  if (res.status !== 201) throw new Error(`version create: ${res.status} ${await res.text()}`)
}

export const bench: Bench = async ({ quick }) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-writes-'))
  const engine = await openEngine({ dataDir, limits: { maxVersions: 100_000 } })
  const app = await buildApp({ engine })
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const creates = quick ? 40 : 200

    // Version create alone, one function, a new upload before each (an unchanged one is refused).
    const unitBefore = fsyncUnitMs(dataDir, 30)
    const fid = await createFunction(url, 'serial')
    const latencies: number[] = []
    let gitSyncs = 0
    for (let i = 0; i < creates + 5; i++) {
      await upload(url, fid, i + 1)
      const syncs = durableSyncStats()
      const started = performance.now()
      await createVersion(url, fid)
      const ms = performance.now() - started
      const after = durableSyncStats()
      // The first few warm the JIT and the caches.
      if (i < 5) continue
      latencies.push(ms)
      gitSyncs += after.files + after.directories - syncs.files - syncs.directories
    }
    const unit = (unitBefore + fsyncUnitMs(dataDir, 30)) / 2
    latencies.sort((a, b) => a - b)
    const p50 = quantile(latencies, 0.5)
    const p99 = quantile(latencies, 0.99)

    // (upload + create) pairs, 8 functions at once, for a fixed number of pairs each.
    const parallel = 8
    const pairs = quick ? 10 : 40
    const ids = await Promise.all(Array.from({ length: parallel }, async (_, w) => await createFunction(url, `p${w}`)))
    const started = performance.now()
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < pairs; i++) {
          await upload(url, id, i + 1)
          await createVersion(url, id)
        }
      }),
    )
    const pairsPerSecond = (parallel * pairs) / ((performance.now() - started) / 1000)

    const fsyncLabel = '4 KiB write+fsync'
    const rows: BenchRow[] = [
      {
        figure: 'version create p50, in 4 KiB write+fsync units',
        value: p50,
        unit: 'ms',
        baseline: { label: fsyncLabel, value: unit },
        ratio: p50 / unit,
        target: '<= 7',
        met: p50 / unit <= 7,
      },
      {
        figure: 'version create p99 / p50',
        value: p99,
        unit: 'ms',
        baseline: { label: 'p50', value: p50 },
        ratio: p99 / p50,
        target: '<= 2.5',
        met: p99 / p50 <= 2.5,
      },
      {
        figure: 'file and folder fsyncs in git per version create (SQLite adds its 2 commits)',
        value: gitSyncs / latencies.length,
        unit: 'fsyncs',
        baseline: null,
        ratio: null,
        target: 'stated',
        met: null,
      },
      {
        figure: `(upload + version create) pairs/s, ${parallel} functions in parallel`,
        value: pairsPerSecond,
        unit: '/s',
        baseline: null,
        ratio: null,
        target: '>= 120/s',
        met: pairsPerSecond >= 120,
      },
    ]
    return rows
  } finally {
    await app.close()
    engine.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
