import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { requireUuid } from './ids.js'
import type { FunctionRow, FunctionView, VersionView } from './store/rows.js'
import type { VersionKey } from './version-records.js'

/**
 * How a call means to use a function:
 * - `read`: show, list, download; an admin may read any project's.
 * - `own`: anything that changes it or its versions; only its own project, and
 *   another project's function does not exist, even for an admin.
 */
export type Access = 'read' | 'own'

const notFound = (id: string) => new EngineError('FUNCTION_NOT_FOUND', `Function ${id} not found.`, { function_id: id })

/** The active function `id` as `ctx` may see it for `access`, or the error that hides it. */
export function findFunction(deps: EngineDeps, ctx: RequestContext, id: string, access: Access): FunctionRow {
  return visible(deps.sql.functionById({ id: requireUuid(id, 'function id') }), ctx, id, access)
}

/** `findFunction` with what the function's answer shows, in the same one query. */
export function findFunctionView(deps: EngineDeps, ctx: RequestContext, id: string, access: Access): FunctionView {
  return visible(deps.sql.functionView({ id: requireUuid(id, 'function id') }), ctx, id, access)
}

function visible<Row extends FunctionRow>(row: Row | undefined, ctx: RequestContext, id: string, access: Access): Row {
  if (!row || row.state !== 'active' || !mayUse(ctx, row.project_id, access)) throw notFound(id)
  return row
}

/** The one rule: a project's own functions for anything; an admin may also read any other's. */
function mayUse(ctx: RequestContext, projectId: string, access: Access): boolean {
  return projectId === ctx.projectId || (access === 'read' && ctx.role === 'admin')
}

/** Deleting another project's function is refused outright for an admin (it can see it), hidden for a member. */
export function findFunctionToDelete(deps: EngineDeps, ctx: RequestContext, id: string): FunctionRow {
  const row = findFunction(deps, ctx, id, 'read')
  if (row.project_id !== ctx.projectId) {
    throw new EngineError('FORBIDDEN', `Function ${id} belongs to another project; only its owner may delete it.`, {
      function_id: id,
    })
  }
  return row
}

export function requireAdmin(ctx: RequestContext, action: string): void {
  if (ctx.role !== 'admin') throw new EngineError('ADMIN_ONLY', `Only an admin may ${action}.`)
}

/** The largest version number a client may spell: nine digits. */
const MAX_VERSION_NUMBER = 999_999_999

/** A version number as a client may spell it: a number or a numeric string. */
export function parseVersionNumber(raw: string | number): number {
  if (typeof raw === 'string' && /^\d{10,}$/.test(raw))
    throw new EngineError(
      'INVALID_FIELD',
      `Invalid version number '${raw}': too large (at most ${MAX_VERSION_NUMBER}).`,
    )
  const n = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < 0)
    throw new EngineError('INVALID_FIELD', `Invalid version number '${raw}': must be a whole number.`)
  return n
}

/** The live version N of a function `ctx` may see for `access`, or the error that hides it. */
export function findVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  raw: string | number,
  access: Access,
): VersionView {
  const found = findVisibleVersion(deps, ctx, functionId, raw, access)
  if (found) return found
  // Not found, or not to be shown: the same checks one by one, for the error each failure gets.
  const fn = findFunction(deps, ctx, functionId, access)
  const n = parseVersionNumber(raw)
  const row = deps.sql.liveVersion({ function_id: fn.id, version_number: n })
  if (!row)
    throw new EngineError('VERSION_NOT_FOUND', `Version ${n} of function ${fn.id} not found.`, {
      function_id: fn.id,
      version: n,
    })
  return row
}

/**
 * The way nearly every version read ends: the version and its function's state and project in one
 * query. Undefined for anything else (no such version, a function not shown to `ctx`, a number
 * that does not parse), which `findVersion` then looks at step by step.
 */
function findVisibleVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  raw: string | number,
  access: Access,
): VersionView | undefined {
  return visibleVersionRow(ctx, functionId, raw, access, deps.sql.liveVersionOfActiveFunction)
}

/**
 * The (id, revision) of live version N when `ctx` may see it for `access`: all a show reads when
 * `VersionRecords` has the answer. Undefined where `findVersion` would throw.
 */
export function findVisibleVersionKey(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  raw: string | number,
  access: Access,
): VersionKey | undefined {
  return visibleVersionRow(ctx, functionId, raw, access, deps.sql.liveVersionKeyOfActiveFunction)
}

function visibleVersionRow<Row extends { function_project_id: string }>(
  ctx: RequestContext,
  functionId: string,
  raw: string | number,
  access: Access,
  read: (key: { function_id: string; version_number: number }) => Row | undefined,
): Row | undefined {
  const id = requireUuid(functionId, 'function id')
  let n: number
  try {
    n = parseVersionNumber(raw)
  } catch {
    return undefined
  }
  const row = read({ function_id: id, version_number: n })
  if (!row) return undefined
  return mayUse(ctx, row.function_project_id, access) ? row : undefined
}
