import { fsck } from '../../engine/admin/fsck.js'
import { describeProblem, type FsckReport } from '../../engine/admin/problems.js'
import type { AdminCommand } from '../admin.js'
import { parseAdminArgs, reportFailure } from './admin-args.js'

const USAGE = `usage: tagstone admin fsck [--repair] [--json] [--data DIR]
  Proves SQLite and every function's repository agree; exits 0 when clean, 1 when not.
  --repair fixes what is safe and says why it leaves the rest; run it with the server stopped.
`

/** Below this many functions a check is quick enough to need no progress line. */
const PROGRESS_FROM = 50

export const fsckCommand: AdminCommand = async (args) => {
  const parsed = parseAdminArgs('fsck', USAGE, args, { repair: { type: 'boolean' } })
  if (!parsed) return 2
  if (parsed.positionals.length > 0) return usage(`unexpected argument '${parsed.positionals[0]}'`)
  const repair = parsed.values.repair === true
  const progress = progressLine()
  let report: FsckReport
  try {
    report = await fsck(parsed.dataDir, { repair, onProgress: progress.update })
  } catch (err) {
    return reportFailure('fsck', err)
  } finally {
    progress.clear()
  }
  const clean = report.remaining.length === 0
  process.stdout.write(parsed.json ? `${JSON.stringify({ clean, repair, ...report })}\n` : text(report, repair))
  return clean ? 0 : 1
}

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

function usage(message: string): number {
  process.stderr.write(`tagstone admin fsck: ${message}\n${USAGE}`)
  return 2
}
