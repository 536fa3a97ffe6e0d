import { findFunction, findFunctionView, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { appendEvent } from './events.js'
import type { FieldValue } from './function-fields.js'
import { isUuid, newId } from './ids.js'
import { runOperation } from './operations/run-operation.js'
import { invalidPaging, type Page, pageOf, type PageRequest, parseLimit, sqlLimit } from './paging.js'
import { currentPackage, presentFunction } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, FunctionRecord } from './records.js'
import type { FunctionRow } from './store/rows.js'

/** A create or update as the client sent it, before validation. */
export interface FunctionInput {
  fields: Record<string, FieldValue>
  /** Create: a JSON string. Update: an object, a JSON string, or absent. */
  code?: FieldValue | Record<string, unknown>
  package?: Buffer
}

/** A change's precondition, from the request: the ETag it was made against (an If-Match header). */
export interface Precondition {
  ifMatch?: string
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
  precondition: Precondition = {},
): Promise<FunctionRecord> {
  return runOperation(deps, 'upload', { ctx, functionId: id, input, ...precondition })
}

/** Deletes a function with its versions and repository; refused while an alias points at it. */
export function deleteFunction(
  deps: EngineDeps,
  ctx: RequestContext,
  id: string,
  precondition: Precondition = {},
): Promise<void> {
  return runOperation(deps, 'delete-function', { ctx, functionId: id, ...precondition })
}

export function listFunctions(
  deps: EngineDeps,
  ctx: RequestContext,
  filter: { allProjects?: boolean; projectId?: string } = {},
  page: PageRequest = {},
): Page<FunctionRecord> {
  const foreign = filter.allProjects || (filter.projectId !== undefined && filter.projectId !== ctx.projectId)
  if (foreign && ctx.role !== 'admin') {
    throw new EngineError('FORBIDDEN', 'Only an admin may list the functions of other projects.')
  }
  const limit = parseLimit(page.limit)
  const projectId = filter.allProjects ? undefined : (filter.projectId ?? ctx.projectId)
  const after = page.marker === undefined ? undefined : markerFunction(deps, page.marker, projectId)
  const keyset = { after_created_at: after?.created_at ?? null, after_id: after?.id ?? null, limit: sqlLimit(limit) }
  const rows =
    projectId === undefined
      ? deps.sql.activeFunctionsPage(keyset)
      : deps.sql.activeFunctionsOfProjectPage({ ...keyset, project_id: projectId })
  return pageOf(rows, limit, (row) => row.id, presentFunction)
}

/** The function a marker names: one the list being paged holds. */
function markerFunction(deps: EngineDeps, marker: string, projectId: string | undefined): FunctionRow {
  const row = isUuid(marker) ? deps.sql.functionById({ id: marker.toLowerCase() }) : undefined
  if (!row || row.state !== 'active' || (projectId !== undefined && row.project_id !== projectId))
    throw invalidPaging('marker', `'${marker}' is not a function of this list`)
  return row
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
  recordDetach(deps, ctx, fn, 0)
}

/**
 * Every accepted detach is logged, a repeated one too: each releases what is
 * held at that moment, and an operator wants to see who asked for it.
 */
export function recordDetach(
  deps: EngineDeps,
  ctx: RequestContext,
  fn: Pick<FunctionRow, 'id' | 'project_id'>,
  version: number,
): void {
  // An admin may detach another project's function: the event is the owner's, as the function is.
  const who = { projectId: fn.project_id, actor: ctx.actor }
  appendEvent(deps.sql, who, deps.now(), { action: 'version.detach', functionId: fn.id, version })
}
