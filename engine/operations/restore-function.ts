import { writeTreeCommit } from '../../repos/write-package-commit.js'
import { findVersion } from '../access.js'
import type { RequestContext } from '../context.js'
import { currentPackage } from '../present.js'
import { formatTime, wholeSeconds } from '../time.js'
import { configOfFunction, configOfVersion, sameConfig } from '../version-config.js'
import { AlreadyDone, type OperationDefinition } from './operation.js'
import { type NewHead, presentFunctionById, publishNewHead } from './write-upload.js'

type RestoreFunction = NewHead<{ ctx: RequestContext; functionId: string; ifMatch?: string; number: string | number }>

/**
 * Makes version N the function's current code again: a new commit on `main`
 * (parent: the current head) with vN's tree, vN's very archive as the download,
 * and the function's config from vN's snapshot (a version made before snapshots
 * were kept restores its code only). History is never rewritten. A function that
 * already equals vN (tree and config) is left as it is.
 */
export const restoreFunction: OperationDefinition<RestoreFunction> = {
  async prepare(deps, { ctx, functionId, number }) {
    const v = findVersion(deps, ctx, functionId, number, 'own')
    const fn = deps.sql.functionByIdOrThrow({ id: v.function_id })
    const config = configOfVersion(v) ?? configOfFunction(fn)
    if (currentPackage(deps, fn).tree_oid === v.tree_oid && sameConfig(config, configOfFunction(fn)))
      return new AlreadyDone(presentFunctionById(deps, fn.id))
    const from = deps.sql.packageByCommitOrThrow({ function_id: fn.id, commit_oid: v.commit_oid })
    const at = wholeSeconds(deps.now())
    const commit = await writeTreeCommit(deps.repos.gitdir(fn.id), {
      tree: v.tree_oid,
      parent: fn.head_commit,
      message: `Restore version ${v.version_number}`,
      time: Math.floor(at.getTime() / 1000),
    })
    const pkg = { ...from, commit_oid: commit, parent_commit: fn.head_commit, created_at: formatTime(at) }
    const { id, name, description, version_retention } = fn
    const fields = { id, name, description, version_retention, ...config, updated_at: formatTime(at) }
    const event = {
      action: 'function.restore',
      functionId: fn.id,
      version: v.version_number,
      details: { commit, md5sum: pkg.md5sum },
    } as const
    return { fn, pkg, fields, event }
  },

  ...publishNewHead(),
}
