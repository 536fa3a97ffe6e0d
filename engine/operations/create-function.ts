import { publishPackage } from '../../repos/package-refs.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { optionalText, parseCode, parseFunctionFields } from '../function-fields.js'
import type { FunctionInput } from '../functions.js'
import { type PreparedPackage, preparePackage } from '../prepare-package.js'
import { presentFunction } from '../present.js'
import type { FunctionRecord } from '../records.js'
import type { FunctionRow, PackageRow } from '../store/rows.js'
import { formatTime, wholeSeconds } from '../time.js'
import type { OperationDefinition } from './operation.js'
import { removeFunction } from './remove-function.js'
import { writeUpload } from './write-upload.js'

interface CreateFunction {
  input: { ctx: RequestContext; functionId: string; input: FunctionInput }
  plan: {
    row: Omit<FunctionRow, 'head_commit' | 'version_counter' | 'state' | 'updated_at' | 'revision'>
    prepared: PreparedPackage
    at: Date
  }
  payload: Record<string, never>
  state: { prepared: PreparedPackage; at: Date }
  written: PackageRow
  result: FunctionRecord
}

/**
 * A new function from a package: its row ('creating'), then a new repository
 * whose `main` holds one commit, then the package row that makes it active.
 * Undone after a crash: the client never saw it.
 */
export const createFunction: OperationDefinition<CreateFunction> = {
  async prepare(deps, { ctx, functionId, input }) {
    const fields = parseFunctionFields(input.fields, deps.limits)
    const runtimeId = optionalText('runtime_id', input.fields.runtime_id) ?? null
    const code = parseCode(input.code)
    if (!input.package)
      throw new EngineError('PACKAGE_REQUIRED', 'A code package (multipart file "package") is required.')
    const prepared = await preparePackage(input.package, code, deps.limits)
    const at = wholeSeconds(deps.now())
    const row = {
      id: functionId,
      project_id: ctx.projectId,
      name: fields.name ?? null,
      description: fields.description ?? null,
      runtime_id: runtimeId,
      entry: fields.entry ?? 'main.main',
      cpu: fields.cpu ?? deps.limits.cpu.default,
      memory_size: fields.memory_size ?? deps.limits.memorySize.default,
      timeout: fields.timeout ?? deps.limits.timeout.default,
      version_retention: fields.version_retention ?? 0,
      created_at: formatTime(at),
    }
    return { row, prepared, at }
  },

  reserve(deps, { row, prepared, at }) {
    deps.sql.insertFunction(row)
    return { functionId: row.id, payload: {}, state: { prepared, at } }
  },

  async git(deps, { functionId, state }) {
    const gitdir = await deps.repos.create(functionId)
    const pkg = await writeUpload(deps, functionId, state.prepared, null, state.at)
    await publishPackage(gitdir, { commit: pkg.commit_oid, archiveBlob: pkg.archive_blob })
    return pkg
  },

  confirm(deps, { functionId }, pkg) {
    deps.sql.insertPackage(pkg)
    deps.sql.setFunctionHead({ id: functionId, head_commit: pkg.commit_oid, updated_at: null })
  },

  result: (deps, { functionId }) => presentFunction(deps.sql.functionViewOrThrow({ id: functionId })),

  events: (_deps, { functionId }, pkg) => [
    { action: 'function.create', functionId, details: { md5sum: pkg?.md5sum, commit: pkg?.commit_oid } },
  ],

  ...removeFunction,
}
