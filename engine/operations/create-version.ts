import { writeVersionTag } from '../../repos/git/version-tags.js'
import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { type FieldValue, optionalText } from '../function-fields.js'
import { newId } from '../ids.js'
import { currentPackage, presentVersion } from '../present.js'
import type { VersionRecord } from '../records.js'
import { formatTime, wholeSeconds } from '../time.js'
import { buryVersion, type VersionPayload } from './bury-version.js'
import { type OperationDefinition, planAsGiven, type StepTypes } from './operation.js'

type CreateVersion = StepTypes<{
  input: { ctx: RequestContext; functionId: string; input: { description?: FieldValue } }
  payload: VersionPayload & { commit: string }
  state: { description: string; at: Date }
  written: string
  result: VersionRecord
}>

/**
 * Makes version N of a function: reserve the number in SQLite, write the
 * annotated tag `vN` on `main`'s head, confirm. Refused (without using a number)
 * when the code has not changed since the newest version or the maximum is
 * reached. Undone after a crash, but its number stays used.
 */
export const createVersion: OperationDefinition<CreateVersion> = {
  prepare: planAsGiven,

  reserve(deps, { ctx, functionId, input }) {
    const description = optionalText('description', input.description) ?? ''
    const at = wholeSeconds(deps.now())
    const fn = findFunction(deps, ctx, functionId, 'own')
    const pkg = currentPackage(deps, fn)
    const newest = deps.sql.newestLiveVersion({ function_id: fn.id })
    if (newest && newest.tree_oid === pkg.tree_oid) {
      throw new EngineError(
        'VERSION_UNCHANGED',
        `Function package not changed since the latest version ${newest.version_number}.`,
        { version: newest.version_number },
      )
    }
    if (deps.sql.countLiveVersions({ function_id: fn.id }) >= deps.limits.maxVersions) {
      throw new EngineError('VERSION_LIMIT', `Can not exceed maximum number(${deps.limits.maxVersions}) of versions.`, {
        max: deps.limits.maxVersions,
      })
    }
    const number = deps.sql.takeVersionNumber({ id: fn.id }).version_counter
    const versionId = newId()
    deps.sql.insertPendingVersion({
      id: versionId,
      function_id: fn.id,
      version_number: number,
      project_id: fn.project_id,
      description,
      commit_oid: pkg.commit_oid,
      tree_oid: pkg.tree_oid,
      created_at: formatTime(at),
    })
    return { functionId: fn.id, payload: { versionId, number, commit: pkg.commit_oid }, state: { description, at } }
  },

  git: (deps, { functionId, payload, state }) =>
    writeVersionTag(deps.repos.gitdir(functionId), {
      number: payload.number,
      commit: payload.commit,
      message: state.description,
      time: state.at.getTime() / 1000,
    }),

  confirm(deps, { payload }, tagOid) {
    deps.sql.confirmVersion({ id: payload.versionId, tag_oid: tagOid })
  },

  result: (deps, { functionId, payload }) =>
    presentVersion(deps.sql.liveVersionOrThrow({ function_id: functionId, version_number: payload.number })),

  ...buryVersion,
}
