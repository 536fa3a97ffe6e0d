/**
 * Disk per small function (one file, one version), SQLite included: N functions made through the
 * engine, the data folder's blocks counted as `du` counts them, once as written and once after
 * `tagstone admin gc` (what background packing also reaches once writes settle).
 */
import { lstatSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { gcFunctions } from '../engine/admin/gc.js'
import { openEngine } from '../engine/engine.js'
import type { Bench, BenchRow } from './bench-row.js'
import { functionWithVersions } from './fixtures.js'

const KiB = 1024
const TARGET_KIB = 40

/** Bytes of disk blocks under `dir`, folders included, as `du` counts them (hard links once). */
function diskBytes(dir: string, seen = new Set<number>()): number {
  const stats = lstatSync(dir)
  if (seen.has(stats.ino)) return 0
  seen.add(stats.ino)
  let total = stats.blocks * 512
  if (stats.isDirectory()) for (const name of readdirSync(dir)) total += diskBytes(path.join(dir, name), seen)
  return total
}

const sqliteBytes = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((name) => name.startsWith('tagstone.db'))
    .reduce((sum, name) => sum + lstatSync(path.join(dataDir, name)).blocks * 512, 0)

export const bench: Bench = async ({ quick }) => {
  const count = quick ? 200 : 1_000
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-disk-'))
  try {
    const dataDir = path.join(root, 'data')
    const engine = await openEngine({ dataDir })
    try {
      for (let i = 0; i < count; i++) await functionWithVersions(engine, 1, `f${i}`)
    } finally {
      // Closing checkpoints the write-ahead log into the database file, as a clean stop does.
      engine.close()
    }
    const written = diskBytes(dataDir) / count
    await gcFunctions(dataDir)
    const packed = diskBytes(dataDir) / count
    const sqlite = sqliteBytes(dataDir) / count
    const row = (figure: string, bytes: number): BenchRow => ({
      figure: `disk per small function (1 file, 1 version, ${count.toLocaleString('en')} functions): ${figure}`,
      value: Number((bytes / KiB).toFixed(1)),
      unit: 'KiB',
      baseline: null,
      ratio: null,
      target: `<= ${TARGET_KIB} KiB (SQLite ${(sqlite / KiB).toFixed(1)} KiB of it)`,
      met: bytes <= TARGET_KIB * KiB,
    })
    return [row('as written', written), row('after admin gc', packed)]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
