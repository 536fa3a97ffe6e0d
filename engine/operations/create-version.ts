import { writeVersionTag } from '../../repos/git/version-tags.js'
import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { type FieldValue, optionalText } from '../function-fields.js'
import { newId } from '../ids.js'
import { currentPackage, presentVersion } from '../present.js'
import type { VersionRecord } from '../records.js'
import { formatTime, wholeSeconds } from '../time.js'
import { configColumns, configOfFunction, configOfVersion, sameConfig, versionTagMessage } from '../version-config.js'
import { buryVersion, type VersionPayload } from './bury-version.js'
import { type OperationDefinition, planAsGiven, type StepTypes } from './operation.js'
import { type PrunedVersion, pruneSteps } from './prune-versions.js'

type CreateVersion = StepTypes<{
  input: { ctx: RequestContext; functionId: string; ifMatch?: string; input: { description?: FieldValue } }
  /** `pruned` and `keep` are absent in journal rows written before retention existed. */
  payload: VersionPayload & { commit: string; keep?: number; pruned?: PrunedVersion[] }
  state: { description: string; message: string; at: Date }
  written: string
  result: VersionRecord
}>

/**
 * Makes version N of a function: reserve the number in SQLite, write the
 * annotated tag `vN` on `main`'s head, confirm. The function's config as it is
 * now is kept on the row and as the tag's trailers. Refused (without using a
 * number) when neither the code nor the config has changed since the newest
 * version, or the maximum is reached. With a `version_retention`, the oldest
 * unreferenced versions beyond it go in the same steps: hidden in the reserve,
 * their tags deleted after the new tag is written, buried in the confirm. Undone
 * after a crash, the prune with it (their tags put back); the new number stays used.
 */
export const createVersion: OperationDefinition<CreateVersion> = {
  prepare: planAsGiven,

  reserve(deps, { ctx, functionId, input }) {
    const description = optionalText('description', input.description) ?? ''
    const at = wholeSeconds(deps.now())
    const fn = findFunction(deps, ctx, functionId, 'own')
    const pkg = currentPackage(deps, fn)
    const config = configOfFunction(fn)
    const newest = deps.sql.newestLiveVersion({ function_id: fn.id })
    // A version made before snapshots were kept is judged by its tree alone, as it always was.
    const newestConfig = newest && configOfVersion(newest)
    if (newest && newest.tree_oid === pkg.tree_oid && (!newestConfig || sameConfig(newestConfig, config))) {
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
      ...configColumns(config),
    })
    const message = versionTagMessage(description, config, pkg.sha256)
    const keep = fn.version_retention
    const pruned = keep > 0 ? pruneSteps.reserve(deps, fn.id, keep) : []
    return {
      functionId: fn.id,
      payload: { versionId, number, commit: pkg.commit_oid, keep, pruned },
      state: { description, message, at },
    }
  },

  async git(deps, { functionId, payload, state }) {
    const tagOid = await writeVersionTag(deps.repos.gitdir(functionId), {
      number: payload.number,
      commit: payload.commit,
      message: state.message,
      time: state.at.getTime() / 1000,
    })
    await pruneSteps.git(deps, functionId, payload.pruned ?? [])
    return tagOid
  },

  confirm(deps, { functionId, payload }, tagOid) {
    deps.sql.confirmVersion({ id: payload.versionId, tag_oid: tagOid })
    pruneSteps.confirm(deps, functionId, payload.pruned ?? [])
    deps.sql.bumpFunctionRevision({ id: functionId })
  },

  result: (deps, { functionId, payload }) =>
    presentVersion(deps.sql.liveVersionOrThrow({ function_id: functionId, version_number: payload.number })),

  events: (_deps, { functionId, payload, state }) => [
    {
      action: 'version.create',
      functionId,
      version: payload.number,
      details: { description: state.description, commit: payload.commit },
    },
    ...pruneSteps.event(functionId, payload.keep ?? 0, payload.pruned ?? []),
  ],

  async settleGit(deps, functionId, payload) {
    await buryVersion.settleGit(deps, functionId, payload)
    await pruneSteps.undoGit(deps, functionId, payload.pruned ?? [])
  },
  settleRows(deps, functionId, payload) {
    buryVersion.settleRows(deps, functionId, payload)
    pruneSteps.undoRows(deps, payload.pruned ?? [])
  },
}
