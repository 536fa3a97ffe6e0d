import { deleteVersionTag } from '../../repos/git/version-tags.js'
import { findVersion } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { versionEtag } from '../present.js'
import { buryVersion, type VersionPayload } from './bury-version.js'
import { type OperationDefinition, planAsGiven, type StepTypes } from './operation.js'

type DeleteVersion = StepTypes<{
  input: { ctx: RequestContext; functionId: string; ifMatch?: string; number: string | number }
  payload: VersionPayload
}>

/**
 * Deletes version N: its tag goes, its number stays used. Refused while an
 * alias points at it. The reserve hides it ('deleting'), so after a crash it is finished.
 */
export const deleteVersion: OperationDefinition<DeleteVersion> = {
  prepare: planAsGiven,

  reserve(deps, { ctx, functionId, number }) {
    const v = findVersion(deps, ctx, functionId, number, 'own')
    const aliases = deps.sql.aliasesOfVersion({ function_id: v.function_id, function_version: v.version_number })
    if (aliases.length > 0) {
      throw new EngineError(
        'VERSION_IN_USE',
        `Version ${v.version_number} is used by alias(es) ${aliases.map((a) => a.name).join(', ')}; delete or move them first.`,
      )
    }
    deps.sql.setVersionState({ id: v.id, state: 'deleting' })
    return { functionId: v.function_id, payload: { versionId: v.id, number: v.version_number }, state: undefined }
  },

  git: (deps, { functionId, payload }) => deleteVersionTag(deps.repos.gitdir(functionId), payload.number),
  confirm: (deps, { functionId, payload }) => {
    buryVersion.settleRows(deps, functionId, payload)
    deps.sql.bumpFunctionRevision({ id: functionId })
  },
  result: () => {},
  finishesOnSettle: true,
  events: (_deps, { functionId, payload }) => [{ action: 'version.delete', functionId, version: payload.number }],
  // The precondition is on the version: its ETag, not its function's.
  etag: (deps, { ctx, functionId, number }) => versionEtag(findVersion(deps, ctx, functionId, number, 'own')),

  ...buryVersion,
}
