import { settleOperation } from '../operations/settle-operation.js'
import { type AdminDeps, type AdminTarget, type RepairDeps, withAdminDeps, withRepairDeps } from './admin-deps.js'
import { checkFunction } from './check-function.js'
import { type FsckReport, type Problem, type Refusal, sameProblem } from './problems.js'
import { repairProblem } from './repair.js'

export interface FsckOptions {
  /** Fix what is safe to fix. Best run with the server stopped: it settles leftover operations. */
  repair?: boolean
  /** Called after each function is checked. */
  onProgress?: (done: number, total: number) => void
}

/**
 * Proves, for every function, that SQLite and git agree (see `PROBLEM_TEXT` for
 * what is checked), and with `repair` fixes what is safe and says why it left
 * the rest. Given a data directory it opens its own connection, read-only
 * unless repairing, so a check never blocks nor changes a running server.
 */
export function fsck(target: AdminTarget, options: FsckOptions = {}): Promise<FsckReport> {
  if (!options.repair) {
    return withAdminDeps(target, async (d) => {
      const { checked, problems } = await checkAll(d, options, true)
      return { checked, problems, repaired: [], refused: [], remaining: problems }
    })
  }
  return withRepairDeps(target, 'tagstone admin fsck --repair', async (d) => {
    const repaired: Problem[] = []
    const refused: Refusal[] = []
    const problems = await settleOperations(d, repaired, refused)
    const found = await checkAll(d, options, false)
    for (const problem of found.problems) {
      problems.push(problem)
      const outcome = await repairProblem(d, problem)
      if (outcome.repaired) repaired.push(problem)
      else refused.push({ problem, why: outcome.why })
    }
    const after = await checkAll(d, {}, false)
    return { checked: found.checked, problems, repaired, refused, remaining: after.problems }
  })
}

/** Leftover operations are settled the way start-up recovery does it. */
async function settleOperations(d: RepairDeps, repaired: Problem[], refused: Refusal[]): Promise<Problem[]> {
  const problems: Problem[] = []
  for (const op of d.sql.pendingOperations()) {
    const problem: Problem = {
      function: op.function_id,
      what: 'unsettled-operation',
      expected: null,
      found: `operation #${op.id} ${op.kind} ${op.payload} since ${op.created_at}`,
    }
    problems.push(problem)
    try {
      await settleOperation(d, op)
      repaired.push(problem)
    } catch (err) {
      refused.push({ problem, why: `settling it failed: ${(err as Error).message}` })
    }
  }
  return problems
}

/**
 * Checks every function, then every repository directory without a row. With
 * `confirm` (a check beside a possibly running server), a function that shows
 * problems is looked at once more and only what both looks found is reported.
 */
async function checkAll(
  d: AdminDeps,
  options: FsckOptions,
  confirm: boolean,
): Promise<{ checked: number; problems: Problem[] }> {
  const dirs = await d.repos.list()
  const ids = d.sql.functionIds().map((r) => r.id)
  const problems: Problem[] = []
  let done = 0
  for (const id of ids) {
    let found = await checkFunction(d, id)
    if (confirm && found.length > 0) {
      const again = await checkFunction(d, id)
      found = found.filter((p) => again.some((q) => sameProblem(p, q)))
    }
    problems.push(...found)
    options.onProgress?.(++done, ids.length)
  }
  const known = new Set(ids)
  for (const id of dirs) {
    // A function created since the listing above, or deleted since: not an orphan.
    if (known.has(id) || d.sql.functionById({ id }) || !(await d.repos.exists(id))) continue
    problems.push({
      function: id,
      what: 'repo-without-function',
      subject: d.repos.gitdir(id),
      expected: 'a function row',
      found: null,
    })
  }
  return { checked: ids.length + problems.filter((p) => p.what === 'repo-without-function').length, problems }
}
