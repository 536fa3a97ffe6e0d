import { fsck } from '../../engine/admin/fsck.js'
import { describeProblem, type FsckReport } from '../../engine/admin/problems.js'
import { COMMON_OPTIONS, expectNoMore } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK, EXIT_PROBLEMS } from '../exit-codes.js'

/** Below this many functions a check is quick enough to need no progress line. */
const PROGRESS_FROM = 50

export const fsckCommand = defineCommand({
  name: 'admin fsck',
  synopsis: 'admin fsck [--repair] [--json] [--data DIR]',
  about: `Proves SQLite and every function's repository agree; exit 0 when clean, 1 when not.
--repair fixes what is safe and says why it leaves the rest; run it with the server stopped.`,
  options: { ...COMMON_OPTIONS, repair: { type: 'boolean' } },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const repair = values.repair === true
    const progress = progressLine()
    let report: FsckReport
    try {
      report = await fsck(dataDir, { repair, onProgress: progress.update })
    } finally {
      progress.clear()
    }
    const clean = report.remaining.length === 0
    process.stdout.write(json ? `${JSON.stringify({ clean, repair, ...report })}\n` : text(report, repair))
    return clean ? EXIT_OK : EXIT_PROBLEMS
  },
})

function text(r: FsckReport, repair: boolean): string {
  const lines = [`fsck: ${r.checked} function(s) checked, ${r.problems.length} problem(s) found`]
  if (!repair) lines.push(...r.problems.map((p) => `  ${describeProblem(p)}`))
  else {
    if (r.repaired.length)
      lines.push(`repaired ${r.repaired.length}:`, ...r.repaired.map((p) => `  ${describeProblem(p)}`))
    if (r.refused.length)
      lines.push(
        `refused ${r.refused.length}:`,
        ...r.refused.flatMap((x) => [`  ${describeProblem(x.problem)}`, `    why: ${x.why}`]),
      )
    lines.push(
      r.remaining.length === 0 ? 'clean after repair' : `${r.remaining.length} problem(s) remain:`,
      ...r.remaining.map((p) => `  ${describeProblem(p)}`),
    )
  }
  return `${lines.join('\n')}\n`
}

/** `checked 1200/5000` on stderr, redrawn in place, only for a person watching a long check. */
function progressLine() {
  let drawn = false
  let last = 0
  return {
    update: (done: number, total: number) => {
      if (!process.stderr.isTTY || total < PROGRESS_FROM) return
      const now = Date.now()
      if (now - last < 100 && done < total) return
      last = now
      drawn = true
      process.stderr.write(`\rfsck: checked ${done}/${total} functions`)
    },
    clear: () => {
      if (drawn) process.stderr.write('\r\x1b[K')
    },
  }
}
