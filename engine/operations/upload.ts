import { publishPackage, unpublishPackage } from '../../repos/package-refs.js'
import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { parseCode, parseFunctionFields } from '../function-fields.js'
import type { FunctionInput } from '../functions.js'
import { preparePackage } from '../prepare-package.js'
import { currentPackage, presentFunction } from '../present.js'
import type { FunctionRecord } from '../records.js'
import type { FunctionRow, PackageRow } from '../store/rows.js'
import { formatTime, wholeSeconds } from '../time.js'
import { AlreadyDone, type OperationDefinition } from './operation.js'
import { writeUpload } from './write-upload.js'

const FIELDS = ['name', 'description', 'entry', 'cpu', 'memory_size', 'timeout', 'version_retention'] as const

type FunctionFields = Pick<FunctionRow, 'id' | (typeof FIELDS)[number]> & { updated_at: string }

interface Upload {
  input: { ctx: RequestContext; functionId: string; ifMatch?: string; input: FunctionInput }
  /** No `pkg`: the fields alone change. */
  plan: { fn: FunctionRow; pkg?: PackageRow; merged: FunctionFields; changed: string[] }
  payload: { commit: string; previous: string | null } | null
  state: { pkg?: PackageRow; merged: FunctionFields; changed: string[] }
  written: void
  result: FunctionRecord
}

const present = (deps: Parameters<typeof presentFunction>[0], id: string) =>
  presentFunction(deps, deps.sql.functionByIdOrThrow({ id }))

/**
 * Changes a function's metadata, its package, or both, atomically. A package
 * whose bytes equal the current one changes nothing, and metadata alone is
 * written by the reserve with no journal; new bytes make a commit, written
 * before the reserve (no ref names it yet) and published on `main` after it.
 * Undone after a crash.
 */
export const upload: OperationDefinition<Upload> = {
  async prepare(deps, { ctx, functionId, input }) {
    const fn = findFunction(deps, ctx, functionId, 'own')
    const fields = parseFunctionFields(input.fields, deps.limits)
    const code = parseCode(input.code)
    const current = currentPackage(deps, fn)
    if (code.md5sum && code.md5sum === current.md5sum) {
      throw new EngineError('CHECKSUM_NOT_CHANGED', 'The function code checksum is not changed.')
    }
    const prepared = input.package ? await preparePackage(input.package, code, deps.limits) : undefined
    if (!prepared && code.md5sum) {
      throw new EngineError('PACKAGE_REQUIRED', 'A new md5sum needs a new package (multipart file "package").')
    }
    const changed = prepared && prepared.md5sum !== current.md5sum ? prepared : undefined
    const at = wholeSeconds(deps.now())
    const merged = {
      id: fn.id,
      name: fields.name ?? fn.name,
      description: fields.description ?? fn.description,
      entry: fields.entry ?? fn.entry,
      cpu: fields.cpu ?? fn.cpu,
      memory_size: fields.memory_size ?? fn.memory_size,
      timeout: fields.timeout ?? fn.timeout,
      version_retention: fields.version_retention ?? fn.version_retention,
      updated_at: formatTime(at),
    }
    const fieldsChanged = FIELDS.filter((k) => merged[k] !== fn[k])
    if (!changed) {
      if (fieldsChanged.length === 0) return new AlreadyDone(present(deps, fn.id))
      return { fn, merged, changed: fieldsChanged }
    }
    const pkg = await writeUpload(deps, fn.id, changed, fn.head_commit, at)
    return { fn, pkg, merged, changed: [...fieldsChanged, 'package'] }
  },

  reserve(deps, { fn, pkg, merged, changed }) {
    if (!pkg) {
      deps.sql.updateFunctionFields(merged)
      return { functionId: fn.id, payload: null, state: { merged, changed }, rowsOnly: true }
    }
    return {
      functionId: fn.id,
      payload: { commit: pkg.commit_oid, previous: fn.head_commit },
      state: { pkg, merged, changed },
    }
  },

  async git(deps, { functionId, state: { pkg } }) {
    await publishPackage(deps.repos.gitdir(functionId), { commit: pkg!.commit_oid, archiveBlob: pkg!.archive_blob })
  },

  confirm(deps, { functionId, state: { pkg, merged } }) {
    deps.sql.insertPackage(pkg!)
    deps.sql.updateFunctionFields(merged)
    deps.sql.setFunctionHead({ id: functionId, head_commit: pkg!.commit_oid, updated_at: merged.updated_at })
  },

  result: (deps, { functionId }) => present(deps, functionId),

  events: (_deps, { functionId, state: { pkg, changed } }) => [
    {
      action: 'function.update',
      functionId,
      details: { changed, ...(pkg ? { md5sum: pkg.md5sum, commit: pkg.commit_oid } : {}) },
    },
  ],

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
}
