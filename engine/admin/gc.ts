import { repack, type RepackResult } from '../../repos/pack/repack.js'
import { EngineError } from '../errors.js'
import { type AdminTarget, withAdminDeps } from './admin-deps.js'

/** What `tagstone admin gc` did to one function's repository. */
export interface FunctionGc extends RepackResult {
  function_id: string
}

/**
 * Packs every function's repository (or one function's) into a single pack with a delta search,
 * as `git gc` does. Safe beside a running server: see `repack` for why nothing a reader or writer
 * needs is ever missing. Functions are done one at a time, so the machine keeps a core for requests.
 */
export function gcFunctions(target: AdminTarget, functionId?: string): Promise<FunctionGc[]> {
  return withAdminDeps(target, async (d) => {
    const ids = await d.repos.list()
    let chosen = ids
    if (functionId !== undefined) {
      const wanted = functionId.toLowerCase()
      chosen = ids.filter((id) => id === wanted)
      if (chosen.length === 0) {
        throw new EngineError('FUNCTION_NOT_FOUND', `Function ${functionId} not found.`, { function_id: functionId })
      }
    }
    const done: FunctionGc[] = []
    for (const id of chosen.sort()) done.push({ function_id: id, ...(await repack(d.repos.gitdir(id), { all: true })) })
    return done
  })
}
