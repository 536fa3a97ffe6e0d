import { findFunction, findFunctionView, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import type { FieldValue } from './function-fields.js'
import { newId } from './ids.js'
import { runOperation } from './operations/run-operation.js'
import { currentPackage, presentFunction } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, FunctionRecord } from './records.js'

/** A create or update as the client sent it, before validation. */
export interface FunctionInput {
  fields: Record<string, FieldValue>
  /** Create: a JSON string. Update: an object, a JSON string, or absent. */
  code?: FieldValue | Record<string, unknown>
  package?: Buffer
}

/** Creates a function from a package: a new repository whose `main` holds one commit. */
export function createFunction(deps: EngineDeps, ctx: RequestContext, input: FunctionInput): Promise<FunctionRecord> {
  return runOperation(deps, 'create-function', { ctx, functionId: newId(), input })
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
  return runOperation(deps, 'upload', { ctx, functionId: id, input })
}

/** Deletes a function with its versions and repository; refused while an alias points at it. */
export function deleteFunction(deps: EngineDeps, ctx: RequestContext, id: string): Promise<void> {
  return runOperation(deps, 'delete-function', { ctx, functionId: id })
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
    : deps.sql.activeFunctionsOfProject({ project_id: filter.projectId ?? ctx.projectId })
  return rows.map(presentFunction)
}

export function getFunction(deps: EngineDeps, ctx: RequestContext, id: string): FunctionRecord {
  return presentFunction(findFunctionView(deps, ctx, id, 'read'))
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
