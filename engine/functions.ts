import { publishPackage } from '../repos/package-refs.js'
import { findFunction, findFunctionToDelete, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { type FieldValue, optionalText, parseCode, parseFunctionFields } from './function-fields.js'
import { newId } from './ids.js'
import { beginOperation, endOperation } from './journal.js'
import { preparePackage } from './prepare-package.js'
import { currentPackage, presentFunction } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, FunctionRecord } from './records.js'
import { orSettle } from './recovery.js'
import { writeUpload } from './store-upload.js'
import { formatTime, wholeSeconds } from './time.js'

/** A create or update as the client sent it, before validation. */
export interface FunctionInput {
  fields: Record<string, FieldValue>
  /** Create: a JSON string. Update: an object, a JSON string, or absent. */
  code?: FieldValue | Record<string, unknown>
  package?: Buffer
}

/** Creates a function from a package: a new repository whose `main` holds one commit. */
export async function createFunction(
  deps: EngineDeps,
  ctx: RequestContext,
  input: FunctionInput,
): Promise<FunctionRecord> {
  const fields = parseFunctionFields(input.fields, deps.limits)
  const runtimeId = optionalText('runtime_id', input.fields.runtime_id) ?? null
  const code = parseCode(input.code)
  if (!input.package)
    throw new EngineError('PACKAGE_REQUIRED', 'A code package (multipart file "package") is required.')
  const prepared = await preparePackage(input.package, code, deps.limits)
  const id = newId()
  const at = wholeSeconds(deps.now())
  const opId = deps.db.transaction(() => {
    deps.sql.insertFunction({
      id,
      project_id: ctx.projectId,
      name: fields.name ?? null,
      description: fields.description ?? null,
      runtime_id: runtimeId,
      entry: fields.entry ?? 'main.main',
      cpu: fields.cpu ?? deps.limits.cpu.default,
      memory_size: fields.memory_size ?? deps.limits.memorySize.default,
      timeout: fields.timeout ?? deps.limits.timeout.default,
      created_at: formatTime(at),
    })
    return beginOperation(deps, id, 'create-function', {})
  })()
  await orSettle(deps, opId, async () => {
    const gitdir = await deps.repos.create(id)
    const pkg = await writeUpload(deps, id, prepared, null, at)
    await publishPackage(gitdir, { commit: pkg.commit_oid, archiveBlob: pkg.archive_blob })
    deps.db.transaction(() => {
      deps.sql.insertPackage(pkg)
      deps.sql.setFunctionHead(pkg.commit_oid, null, id)
      endOperation(deps, opId)
    })()
  })
  return presentFunction(deps, deps.sql.functionById(id)!)
}

/**
 * Changes a function's metadata, its package, or both, atomically. A package
 * whose bytes equal the current one changes nothing; new bytes make a commit.
 */
export function updateFunction(
  deps: EngineDeps,
  ctx: RequestContext,
  id: string,
  input: FunctionInput,
): Promise<FunctionRecord> {
  return deps.locks.run(id, async () => {
    const fn = findFunction(deps, ctx, id, 'own')
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
      return presentFunction(deps, deps.sql.functionById(fn.id)!)
    }
    const pkg = await writeUpload(deps, fn.id, changed, fn.head_commit, at)
    const opId = deps.db.transaction(() =>
      beginOperation(deps, fn.id, 'upload', { commit: pkg.commit_oid, previous: fn.head_commit }),
    )()
    await orSettle(deps, opId, async () => {
      await publishPackage(deps.repos.gitdir(fn.id), { commit: pkg.commit_oid, archiveBlob: pkg.archive_blob })
      deps.db.transaction(() => {
        deps.sql.insertPackage(pkg)
        deps.sql.updateFunctionFields(merged)
        deps.sql.setFunctionHead(pkg.commit_oid, merged.updated_at, fn.id)
        endOperation(deps, opId)
      })()
    })
    return presentFunction(deps, deps.sql.functionById(fn.id)!)
  })
}

/** Deletes a function with its versions and repository; refused while an alias points at it. */
export function deleteFunction(deps: EngineDeps, ctx: RequestContext, id: string): Promise<void> {
  return deps.locks.run(id, async () => {
    const fn = findFunctionToDelete(deps, ctx, id)
    const aliases = deps.sql.aliasesOfFunction(fn.id)
    if (aliases.length > 0) {
      throw new EngineError(
        'FUNCTION_IN_USE',
        `Function ${fn.id} is used by alias(es) ${aliases.map((a) => a.name).join(', ')}; delete or move them first.`,
      )
    }
    const opId = deps.db.transaction(() => {
      deps.sql.setFunctionState('deleting', fn.id)
      return beginOperation(deps, fn.id, 'delete-function', {})
    })()
    await deps.repos.remove(fn.id)
    deps.db.transaction(() => {
      deps.sql.deleteFunction(fn.id)
      endOperation(deps, opId)
    })()
  })
}

export function listFunctions(
  deps: EngineDeps,
  ctx: RequestContext,
  filter: { allProjects?: boolean; projectId?: string } = {},
): FunctionRecord[] {
  const foreign = filter.allProjects || (filter.projectId !== undefined && filter.projectId !== ctx.projectId)
  if (foreign && ctx.role !== 'admin') {
    throw new EngineError('FORBIDDEN', 'Only an admin may list the functions of other projects.')
  }
  const rows = filter.allProjects
    ? deps.sql.activeFunctions()
    : deps.sql.activeFunctionsOfProject(filter.projectId ?? ctx.projectId)
  return rows.map((row) => presentFunction(deps, row))
}

export function getFunction(deps: EngineDeps, ctx: RequestContext, id: string): FunctionRecord {
  return presentFunction(deps, findFunction(deps, ctx, id, 'read'))
}

/** The current package, byte for byte as uploaded. */
export async function downloadFunction(deps: EngineDeps, ctx: RequestContext, id: string): Promise<Download> {
  const fn = findFunction(deps, ctx, id, 'read')
  const pkg = currentPackage(deps, fn)
  return { bytes: await readPackageBytes(deps, pkg), md5sum: pkg.md5sum, filename: `${fn.id}.zip` }
}

/** Releases what is held for serving the function's current code (version 0). Admin only; idempotent. */
export function detachFunction(deps: EngineDeps, ctx: RequestContext, id: string): void {
  requireAdmin(ctx, 'detach a function')
  const fn = findFunction(deps, ctx, id, 'read')
  deps.archives.drop(currentPackage(deps, fn).archive_blob)
}
