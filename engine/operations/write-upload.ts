import { publishPackage, unpublishPackage } from '../../repos/package-refs.js'
import { writePackageCommit } from '../../repos/write-package-commit.js'
import type { EngineDeps } from '../deps.js'
import type { EventSpec } from '../events.js'
import type { PreparedPackage } from '../prepare-package.js'
import { presentFunction } from '../present.js'
import type { FunctionRecord } from '../records.js'
import type { FunctionRow, PackageRow } from '../store/rows.js'
import type { FunctionFieldsRow } from '../store/statements.js'
import { formatTime } from '../time.js'
import type { OperationDefinition, OperationTypes } from './operation.js'

/**
 * Writes an upload's objects: the unpacked package as a commit on top of
 * `previous`, and the archive blob. No ref names them yet, so a crash leaves only
 * unreachable objects; the caller reserves, publishes, then confirms the row.
 */
export async function writeUpload(
  deps: EngineDeps,
  functionId: string,
  prepared: PreparedPackage,
  previous: string | null,
  at: Date,
): Promise<PackageRow> {
  const gitdir = deps.repos.gitdir(functionId)
  const written = await writePackageCommit(gitdir, {
    files: prepared.files,
    archive: prepared.archive,
    parent: previous,
    message: `Upload package ${prepared.md5sum}\n\nsha256 ${prepared.sha256}\nsize ${prepared.archive.length}`,
    time: Math.floor(at.getTime() / 1000),
  })
  return {
    function_id: functionId,
    commit_oid: written.commit,
    tree_oid: written.tree,
    parent_commit: previous,
    archive_blob: written.archiveBlob,
    md5sum: prepared.md5sum,
    sha256: prepared.sha256,
    size: prepared.archive.length,
    created_at: formatTime(at),
  }
}

/** What an upload and a restore both do once their commit is written: the kinds that make a new head. */
export interface NewHead<I extends OperationTypes['input']> {
  input: I
  /** No `pkg`: the fields alone change. `event` is the change as the audit log names it. */
  plan: { fn: FunctionRow; pkg?: PackageRow; fields: FunctionFieldsRow; event: EventSpec }
  payload: { commit: string; previous: string | null } | null
  state: { pkg?: PackageRow; fields: FunctionFieldsRow; event: EventSpec }
  written: void
  result: FunctionRecord
}

export const presentFunctionById = (deps: EngineDeps, id: string) =>
  presentFunction(deps.sql.functionViewOrThrow({ id }))

/**
 * The steps after `prepare` of every operation that moves `main` to a new
 * commit with its package row and the function's fields: `main` and the archive
 * ref move in `git`, the rows in the confirm; undone after a crash. With no new
 * commit (fields only) the reserve makes the whole change.
 */
export const publishNewHead = <I extends OperationTypes['input']>(): Omit<
  OperationDefinition<NewHead<I>>,
  'prepare'
> => ({
  reserve(deps, { fn, pkg, fields, event }) {
    if (!pkg) {
      deps.sql.updateFunctionFields(fields)
      return { functionId: fn.id, payload: null, state: { fields, event }, rowsOnly: true }
    }
    return {
      functionId: fn.id,
      payload: { commit: pkg.commit_oid, previous: fn.head_commit },
      state: { pkg, fields, event },
    }
  },

  async git(deps, { functionId, state: { pkg } }) {
    await publishPackage(deps.repos.gitdir(functionId), { commit: pkg!.commit_oid, archiveBlob: pkg!.archive_blob })
  },

  confirm(deps, { functionId, state: { pkg, fields } }) {
    deps.sql.insertPackage(pkg!)
    deps.sql.updateFunctionFields(fields)
    deps.sql.setFunctionHead({ id: functionId, head_commit: pkg!.commit_oid, updated_at: fields.updated_at })
  },

  result: (deps, { functionId }) => presentFunctionById(deps, functionId),

  events: (_deps, { state: { event } }) => [event],

  async settleGit(deps, functionId, payload) {
    if (!payload) return
    // `main` goes back to the head SQLite records, not the payload's `previous`: when a confirm
    // failed without a crash, later uploads may have been confirmed on top before this is settled.
    const recorded = deps.sql.functionById({ id: functionId })?.head_commit ?? payload.previous
    if (await deps.repos.exists(functionId))
      await unpublishPackage(deps.repos.gitdir(functionId), { commit: payload.commit, previous: recorded })
    // Settling runs under the function's lock or before the server listens: no write is under way here.
    await deps.repos.sweepTemporaryFiles(functionId)
  },

  settleRows: () => {},
})
