import { findFunction } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { boundedInteger, type FieldValue, optionalText } from './function-fields.js'
import { newId, requireUuid } from './ids.js'
import { presentAlias } from './present.js'
import type { AliasRecord } from './records.js'
import type { AliasRow } from './store/rows.js'
import { formatTime } from './time.js'

export interface AliasInput {
  name?: FieldValue
  function_id?: FieldValue
  function_version?: FieldValue
  description?: FieldValue
}

const VERSION_RANGE = { min: 0, max: Number.MAX_SAFE_INTEGER }

/** Version 0 is the function's current code; any other must exist now. */
function checkTarget(deps: EngineDeps, ctx: RequestContext, functionId: string, version: number): string {
  const fn = findFunction(deps, ctx, requireUuid(functionId, 'function id'), 'own')
  if (version !== 0 && !deps.sql.liveVersion({ function_id: fn.id, version_number: version })) {
    throw new EngineError('ALIAS_VERSION_NOT_FOUND', `Version ${version} of function ${fn.id} does not exist.`, {
      function_id: fn.id,
      version,
    })
  }
  return fn.id
}

function findAlias(deps: EngineDeps, ctx: RequestContext, name: string): AliasRow {
  const row = deps.sql.aliasByName({ project_id: ctx.projectId, name })
  if (!row) throw new EngineError('ALIAS_NOT_FOUND', `Alias ${name} not found.`, { name })
  return row
}

/**
 * URL-unreserved characters only: the openstack client puts the name into `/v1/aliases/<name>`
 * without escaping it, so a `/`, `?`, `#`, `%` or space would address another resource or none.
 * `.` and `..` are dot-segments, which HTTP clients collapse.
 */
const ALIAS_NAME = /^[A-Za-z0-9._~-]{1,255}$/

export function createAlias(deps: EngineDeps, ctx: RequestContext, input: AliasInput): AliasRecord {
  const name = optionalText('name', input.name)
  if (!name) throw new EngineError('INVALID_FIELD', 'Invalid name: an alias needs a name.', { field: 'name' })
  if (!ALIAS_NAME.test(name) || name === '.' || name === '..')
    throw new EngineError(
      'INVALID_FIELD',
      `Invalid name '${name}': an alias name is 1 to 255 of the characters A-Z a-z 0-9 . _ ~ - (and not '.' or '..'), so that it is a path segment as it stands.`,
      { field: 'name' },
    )
  const functionId = optionalText('function_id', input.function_id)
  if (!functionId)
    throw new EngineError('INVALID_FIELD', 'Invalid function_id: an alias needs a function.', { field: 'function_id' })
  const version = boundedInteger('function_version', input.function_version, VERSION_RANGE) ?? 0
  const description = optionalText('description', input.description) ?? null
  return deps.db.transaction(() => {
    const fid = checkTarget(deps, ctx, functionId, version)
    if (deps.sql.aliasByName({ project_id: ctx.projectId, name }))
      throw new EngineError('ALIAS_EXISTS', `Alias ${name} already exists.`, { name })
    const id = newId()
    deps.sql.insertAlias({
      id,
      project_id: ctx.projectId,
      name,
      description,
      function_id: fid,
      function_version: version,
      created_at: formatTime(deps.now()),
    })
    return presentAlias(findAlias(deps, ctx, name))
  })()
}

export function listAliases(deps: EngineDeps, ctx: RequestContext): AliasRecord[] {
  return deps.sql.aliasesOfProject({ project_id: ctx.projectId }).map(presentAlias)
}

export function getAlias(deps: EngineDeps, ctx: RequestContext, name: string): AliasRecord {
  return presentAlias(findAlias(deps, ctx, name))
}

/** Changes what an alias points at; a null or absent field is left as it is. */
export function updateAlias(deps: EngineDeps, ctx: RequestContext, name: string, input: AliasInput): AliasRecord {
  const functionId = optionalText('function_id', input.function_id)
  const version = boundedInteger('function_version', input.function_version, VERSION_RANGE)
  const description = optionalText('description', input.description)
  return deps.db.transaction(() => {
    const row = findAlias(deps, ctx, name)
    const next = {
      id: row.id,
      function_id: functionId ?? row.function_id,
      function_version: version ?? row.function_version,
      description: description ?? row.description,
      updated_at: formatTime(deps.now()),
    }
    next.function_id = checkTarget(deps, ctx, next.function_id, next.function_version)
    deps.sql.updateAlias(next)
    return presentAlias(findAlias(deps, ctx, name))
  })()
}

export function deleteAlias(deps: EngineDeps, ctx: RequestContext, name: string): void {
  deps.sql.deleteAlias({ id: findAlias(deps, ctx, name).id })
}
