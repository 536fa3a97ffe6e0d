import { packRefs } from '../../repos/git/refs.js'
import { repack, type RepackResult } from '../../repos/pack/repack.js'
import { type DataDirLock, lockDataDir } from '../data-dir.js'
import { EngineError, hasErrorCode } from '../errors.js'
import { withAdminDeps } from './admin-deps.js'

/** What `tagstone admin gc` did to one function's repository. */
export interface FunctionGc extends RepackResult {
  function_id: string
  /** Loose refs moved into `packed-refs`; null when a server held the data directory, so refs stayed loose. */
  refsPacked: number | null
}

/**
 * Packs every function's repository (or one's) into a single pack with a delta search, as `git gc`
 * does. Safe beside a running server: see `repack` for why nothing a reader or writer needs is ever
 * missing. Refs are packed too, but only when no server holds the data directory: moving a ref
 * while a server may write it could lose the write (the server's own background packing packs refs
 * under its function locks). Functions are done one at a time, so the machine keeps a core for requests.
 */
export function gcFunctions(dataDir: string, functionId?: string): Promise<FunctionGc[]> {
  return withAdminDeps(dataDir, async (d) => {
    const ids = await d.repos.list()
    let chosen = ids
    if (functionId !== undefined) {
      const wanted = functionId.toLowerCase()
      chosen = ids.filter((id) => id === wanted)
      if (chosen.length === 0) {
        throw new EngineError('FUNCTION_NOT_FOUND', `Function ${functionId} not found.`, { function_id: functionId })
      }
    }
    const lock = lockIfFree(dataDir)
    try {
      const done: FunctionGc[] = []
      for (const id of chosen.sort()) {
        const gitdir = d.repos.gitdir(id)
        const result = await repack(gitdir, { all: true })
        const refsPacked = lock && result.status !== 'busy' ? await packRefs(gitdir) : null
        done.push({ function_id: id, ...result, refsPacked })
      }
      return done
    } finally {
      lock?.release()
    }
  })
}

/** The data directory's lock, or undefined while a server holds it. */
function lockIfFree(dataDir: string): DataDirLock | undefined {
  try {
    return lockDataDir(dataDir, 'tagstone admin gc')
  } catch (err) {
    if (hasErrorCode(err, 'DATA_DIR_LOCKED')) return undefined
    throw err
  }
}
