/**
 * Read throughput of the real server (`tagstone serve`, token auth on, its own process) against a
 * bare Fastify route serving the same JSON bytes (its own process too), both driven over loopback
 * by autocannon with 50 connections, alternating runs, medians.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { openEngine } from '../engine/engine.js'
import { openTokenStore } from '../engine/open-token-store.js'
import type { Bench, BenchRow } from './bench-row.js'
import { functionWithVersions } from './fixtures.js'
import { compareThroughput } from './load.js'
import { startBare, startTagstone } from './serve-process.js'

interface ReadCase {
  figure: string
  target: string
  min: number
  path: (ids: { ten: string; thousand: string }) => string
  quick: boolean
}

const CASES: ReadCase[] = [
  {
    figure: 'GET version req/s vs bare Fastify',
    target: '>= 0.75x',
    min: 0.75,
    path: ({ ten }) => `/v1/functions/${ten}/versions/5`,
    quick: true,
  },
  {
    figure: 'GET versions list (10 versions) req/s vs bare Fastify',
    target: '>= 0.6x',
    min: 0.6,
    path: ({ ten }) => `/v1/functions/${ten}/versions`,
    quick: true,
  },
  {
    figure: 'GET versions list (1,000 versions, limit=50) req/s vs bare Fastify',
    target: '>= 0.5x',
    min: 0.5,
    path: ({ thousand }) => `/v1/functions/${thousand}/versions?limit=50`,
    quick: false,
  },
]

export const bench: Bench = async ({ quick }) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-reads-'))
  try {
    const dataDir = path.join(root, 'data')
    const engine = await openEngine({ dataDir })
    const ids = { ten: '', thousand: '' }
    try {
      ids.ten = await functionWithVersions(engine, 10, 'ten')
      if (!quick) ids.thousand = await functionWithVersions(engine, 1000, 'thousand')
    } finally {
      engine.close()
    }
    const tokens = openTokenStore(dataDir)
    const token = tokens.createToken({ projectId: 'default', role: 'member', label: 'bench' }).token
    tokens.close()

    const server = await startTagstone(dataDir)
    const rows: BenchRow[] = []
    try {
      for (const c of CASES.filter((c) => c.quick || !quick)) {
        const url = server.url + c.path(ids)
        const headers = { 'x-auth-token': token }
        const answer = await fetch(url, { headers })
        if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${await answer.text()}`)
        const jsonFile = path.join(root, 'body.json')
        await writeFile(jsonFile, await answer.text())
        const bare = await startBare(jsonFile)
        try {
          const seconds = quick ? 2 : 3
          const measured = await compareThroughput(
            { url, headers, seconds },
            { url: bare.url + c.path(ids), seconds },
            quick ? 1 : 3,
          )
          const ratio = measured.ours / measured.baseline
          rows.push({
            figure: c.figure,
            value: Math.round(measured.ours),
            unit: 'req/s',
            baseline: { label: 'bare Fastify', value: Math.round(measured.baseline) },
            ratio,
            target: c.target,
            met: ratio >= c.min,
          })
        } finally {
          await bare.stop()
        }
      }
    } finally {
      await server.stop()
    }
    return rows
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
