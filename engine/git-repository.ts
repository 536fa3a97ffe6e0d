import type { ServedRepository } from '../repos/smart-http/git-server.js'
import { findFunction } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'

/** A function's history as git clients read it: what the git routes are handed, never a path. */
export type GitRepository = ServedRepository

/**
 * The repository of a function `ctx` may read, for git clients. Access is the same as reading the
 * function through the API, checked on its row alone.
 */
export function gitRepository(deps: EngineDeps, ctx: RequestContext, functionId: string): GitRepository {
  return deps.git.repository(deps.repos.gitdir(findFunction(deps, ctx, functionId, 'read').id))
}
