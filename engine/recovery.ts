import { deleteVersionTag } from '../repos/git/version-tags.js'
import { unpublishPackage } from '../repos/package-refs.js'
import type { EngineDeps } from './deps.js'
import { endOperation, type OperationKind, type OperationPayloads } from './journal.js'
import type { OperationRow } from './store/rows.js'
import { formatTime } from './time.js'

/** What settling needs; the admin tools settle with no engine open. */
export type RecoveryDeps = Pick<EngineDeps, 'db' | 'sql' | 'repos' | 'now'>

/**
 * Settles an operation that was reserved but never confirmed, after a crash or a
 * failed git step. Creates and uploads are undone (the client never saw them
 * succeed); deletes are finished (the reserve already hid the thing). Each step
 * is safe to repeat, so a crash during recovery is recovered the same way.
 * A version number taken by an undone create stays used.
 */
export async function settleOperation(deps: RecoveryDeps, op: OperationRow): Promise<void> {
  const kind = op.kind as OperationKind
  const fid = op.function_id
  const gitdir = deps.repos.gitdir(fid)
  const end = async (extra: () => void) => {
    // Settling runs under the function's lock or before the server listens: no write is under way here.
    if (kind !== 'create-function' && kind !== 'delete-function') await deps.repos.sweepTemporaryFiles(fid)
    deps.db.transaction(() => {
      extra()
      endOperation(deps, op.id)
    })()
  }
  switch (kind) {
    case 'create-function':
      await deps.repos.remove(fid)
      return end(() => deps.sql.deleteFunction(fid))
    case 'upload': {
      const p = JSON.parse(op.payload) as OperationPayloads['upload']
      // `main` goes back to the head SQLite records, not the payload's `previous`: when a confirm
      // failed without a crash, later uploads may have been confirmed on top before this is settled.
      const recorded = deps.sql.functionById(fid)?.head_commit ?? p.previous
      if (await deps.repos.exists(fid)) await unpublishPackage(gitdir, { commit: p.commit, previous: recorded })
      return end(() => {})
    }
    case 'create-version': {
      const p = JSON.parse(op.payload) as OperationPayloads['create-version']
      if (await deps.repos.exists(fid)) await deleteVersionTag(gitdir, p.number)
      return end(() => deps.sql.buryVersion(formatTime(deps.now()), p.versionId))
    }
    case 'delete-version': {
      const p = JSON.parse(op.payload) as OperationPayloads['delete-version']
      if (await deps.repos.exists(fid)) await deleteVersionTag(gitdir, p.number)
      return end(() => deps.sql.buryVersion(formatTime(deps.now()), p.versionId))
    }
    case 'delete-function':
      await deps.repos.remove(fid)
      return end(() => deps.sql.deleteFunction(fid))
    default:
      throw new Error(`unknown operation kind '${op.kind}' (#${op.id})`)
  }
}

/** Runs before the server takes requests: settles every half-done operation. */
export async function recover(deps: EngineDeps): Promise<number> {
  const ops = deps.sql.pendingOperations()
  for (const op of ops) await settleOperation(deps, op)
  return ops.length
}

/**
 * Runs the git half of an operation and its confirm; if either fails, settles the
 * operation at once and rethrows. A confirm that committed has closed the
 * operation, so there is then nothing left to settle.
 */
export async function orSettle<T>(deps: EngineDeps, opId: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    const op = deps.sql.pendingOperations().find((o) => o.id === opId)
    if (op) await settleOperation(deps, op).catch(() => {})
    throw err
  }
}
