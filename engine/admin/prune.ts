import { cliContext } from '../context.js'
import { existingDatabasePath, openEngine } from '../engine.js'
import { EngineError } from '../errors.js'
import { requireUuid } from '../ids.js'
import { pruneVictims } from '../operations/prune-versions.js'
import { runOperation } from '../operations/run-operation.js'
import type { ReadStatements } from '../store/statements.js'
import { withAdminDeps } from './admin-deps.js'

export interface PruneRequest {
  keep: number
  functionId?: string
  /** Only say what would go: reads only, so it runs beside a server. */
  dryRun?: boolean
}

export interface PruneReport {
  keep: number
  dry_run: boolean
  /** Every function looked at, with the version numbers pruned (or that would be). */
  functions: Array<{ function_id: string; pruned: number[] }>
}

function targets(sql: ReadStatements, functionId: string | undefined): Array<{ id: string; project_id: string }> {
  // One page with no end (SQLite's LIMIT -1): an admin pass over every function.
  if (functionId === undefined) return sql.activeFunctionsPage({ after_created_at: null, after_id: null, limit: -1 })
  const id = requireUuid(functionId, 'function id')
  const fn = sql.functionById({ id })
  if (!fn || fn.state !== 'active')
    throw new EngineError('FUNCTION_NOT_FOUND', `Function ${functionId} not found.`, { function_id: functionId })
  return [fn]
}

/**
 * `tagstone admin prune`: the oldest versions no alias routes to, beyond `keep`
 * per function, go, through the same `prune-versions` operation and victim
 * choice as retention on a version create. It opens the engine (recovery
 * included), so it needs the data directory to itself; a dry run only reads.
 */
export async function prune(dataDir: string, request: PruneRequest): Promise<PruneReport> {
  const { keep } = request
  if (!Number.isSafeInteger(keep) || keep < 1)
    throw new EngineError('INVALID_FIELD', `Invalid keep-last '${keep}': must be a whole number of 1 or more.`)
  if (request.dryRun) {
    return withAdminDeps(dataDir, async (d) => ({
      keep,
      dry_run: true,
      functions: d.db.transaction(() =>
        targets(d.sql, request.functionId).map((fn) => ({
          function_id: fn.id,
          pruned: pruneVictims(d.sql, fn.id, keep).map((v) => v.number),
        })),
      )(),
    }))
  }
  // An admin command never makes a store: a mistyped --data is an error, as for the others.
  existingDatabasePath(dataDir)
  const engine = await openEngine({ dataDir, holder: 'tagstone admin prune' })
  try {
    const functions = []
    for (const fn of targets(engine.deps.sql, request.functionId)) {
      const ctx = cliContext(fn.project_id)
      const pruned = await runOperation(engine.deps, 'prune-versions', { ctx, functionId: fn.id, keep })
      functions.push({ function_id: fn.id, pruned })
    }
    return { keep, dry_run: false, functions }
  } finally {
    engine.close()
  }
}
