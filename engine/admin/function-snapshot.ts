import type { FunctionRow, OperationRow, PackageRow, VersionRow } from '../store/rows.js'
import type { AdminDeps } from './admin-deps.js'

/** Everything SQLite says about one function, read in one transaction. */
export interface FunctionSnapshot {
  fn: FunctionRow
  /** Tombstones included. */
  versions: VersionRow[]
  packages: PackageRow[]
  operations: OperationRow[]
}

export function readFunctionSnapshot(d: AdminDeps, id: string): FunctionSnapshot | null {
  return d.db.transaction(() => {
    const fn = d.sql.functionById({ id })
    if (!fn) return null
    return {
      fn,
      versions: d.sql.versionsOfFunction({ function_id: id }),
      packages: d.sql.packagesOfFunction({ function_id: id }),
      operations: d.sql.operationsOfFunction({ function_id: id }),
    }
  })()
}

/**
 * Two equal snapshots taken around a look at git mean, on a running server, that
 * no ref moved in between: refs move only between a reserve and its confirm or
 * settle, and each of those changes these rows, save an upload undone at once
 * after a failed git step (fsck's second look catches that one).
 */
export function sameSnapshot(a: FunctionSnapshot | null, b: FunctionSnapshot | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
