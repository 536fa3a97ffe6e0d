/**
 * `npm run bench`: runs every benchmark in SUITE and prints one table.
 *
 *   npm run bench -- [--quick] [--json] [--only NAME[,NAME]] [--results]
 *
 * --quick: fewer and shorter runs (about 2 minutes); --json: the rows as JSON; --only: the named
 * benchmarks only; --results: also write the table to bench/RESULTS.md with the machine and date.
 */
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import type { BenchRow } from './bench-row.js'
import { printRows, rowsTable } from './print-rows.js'
import { SUITE } from './suite.js'

/** bench/RESULTS.md in the source tree (this file runs from dist/bench/). */
const RESULTS = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url))

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    results: { type: 'boolean', default: false },
  },
})
const only = values.only?.split(',').map((name) => name.trim())
const unknown = only?.filter((name) => !SUITE.some((entry) => entry.name === name)) ?? []
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${SUITE.map((e) => e.name).join(', ')}\n`)
  process.exit(2)
}

const rows: BenchRow[] = []
const started = performance.now()
for (const entry of SUITE.filter((e) => only === undefined || only.includes(e.name))) {
  const at = performance.now()
  process.stderr.write(`${entry.name}...`)
  rows.push(...(await entry.bench({ quick: values.quick })))
  process.stderr.write(` ${((performance.now() - at) / 1000).toFixed(0)} s\n`)
}
process.stderr.write(`all done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
printRows(rows, { json: values.json })

if (values.results) {
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`
  const mode = values.quick ? 'npm run bench -- --quick' : 'npm run bench'
  writeFileSync(
    RESULTS,
    `# Benchmark results\n\nThe latest \`${mode}\`${only ? ` (--only ${only.join(',')})` : ''}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, on ${machine}.\nRatios compare with a baseline measured in the same run; see README.md for what each row compares.\n\n${rowsTable(rows)}\n`,
  )
}
