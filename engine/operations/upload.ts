import { publishPackage, unpublishPackage } from '../../repos/package-refs.js'
import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import type { EngineDeps } from '../deps.js'
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

type FunctionFields = Pick<FunctionRow, 'id' | 'name' | 'description' | 'entry' | 'cpu' | 'memory_size' | 'timeout'> & {
  updated_at: string
}

interface Upload {
  input: { ctx: RequestContext; functionId: string; input: FunctionInput }
  plan: { fn: FunctionRow; pkg: PackageRow; merged: FunctionFields }
  payload: { commit: string; previous: string | null }
  state: { pkg: PackageRow; merged: FunctionFields }
  written: void
  result: FunctionRecord
}

const present = (deps: EngineDeps, id: string) => presentFunction(deps.sql.functionViewOrThrow({ id }))

/**
 * Changes a function's metadata, its package, or both, atomically. A package
 * whose bytes equal the current one changes nothing, and metadata alone needs
 * no journal; new bytes make a commit, written before the reserve (no ref names
 * it yet) and published on `main` after it. Undone after a crash.
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
      updated_at: formatTime(at),
    }
    const fieldsChanged = (['name', 'description', 'entry', 'cpu', 'memory_size', 'timeout'] as const).some(
      (k) => merged[k] !== fn[k],
    )
    if (!changed) {
      if (fieldsChanged) deps.sql.updateFunctionFields(merged)
      return new AlreadyDone(present(deps, fn.id))
    }
    const pkg = await writeUpload(deps, fn.id, changed, fn.head_commit, at)
    return { fn, pkg, merged }
  },

  reserve: (_deps, { fn, pkg, merged }) => ({
    functionId: fn.id,
    payload: { commit: pkg.commit_oid, previous: fn.head_commit },
    state: { pkg, merged },
  }),

  async git(deps, { functionId, state: { pkg } }) {
    await publishPackage(deps.repos.gitdir(functionId), { commit: pkg.commit_oid, archiveBlob: pkg.archive_blob })
  },

  confirm(deps, { functionId, state: { pkg, merged } }) {
    deps.sql.insertPackage(pkg)
    deps.sql.updateFunctionFields(merged)
    deps.sql.setFunctionHead({ id: functionId, head_commit: pkg.commit_oid, updated_at: merged.updated_at })
  },

  result: (deps, { functionId }) => present(deps, functionId),

  async settleGit(deps, functionId, payload) {
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
