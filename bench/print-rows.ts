import type { BenchRow } from './bench-row.js'

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n)
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)
}

function metLabel(met: boolean | null): string {
  if (met === null) return '-'
  return met ? 'yes' : 'NO'
}

/** One Markdown table of rows, the form RESULTS.md keeps. */
export function rowsTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| figure | value | baseline | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) =>
      [
        row.figure,
        `${formatNumber(row.value)} ${row.unit}`,
        row.baseline ? `${formatNumber(row.baseline.value)} ${row.unit} (${row.baseline.label})` : '-',
        row.ratio === null ? '-' : `${formatNumber(row.ratio)}x`,
        row.target,
        metLabel(row.met),
      ].join(' | '),
    ),
  ]
  return lines.map((line) => (line.startsWith('|') ? line : `| ${line} |`)).join('\n')
}

/** Prints rows as a table, or as JSON for machines. */
export function printRows(rows: readonly BenchRow[], options: { json: boolean }): void {
  process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${rowsTable(rows)}\n`)
}
