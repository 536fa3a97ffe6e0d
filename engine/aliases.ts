import { findFunction } from './access.js'
import { parseRoutingConfig, storedRoutingConfig, type Weights, weightsOf } from './alias-routing.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { requireIfMatch } from './etags.js'
import { appendEvent, type EventAction } from './events.js'
import { boundedInteger, type FieldValue, optionalText } from './function-fields.js'
import type { Precondition } from './functions.js'
import { newId, requireUuid } from './ids.js'
import { invalidPaging, type Page, pageOf, type PageRequest, parseLimit, sqlLimit } from './paging.js'
import { aliasEtag, presentAlias } from './present.js'
import type { AliasRecord } from './records.js'
import type { AliasRow } from './store/rows.js'
import { formatTime } from './time.js'

export interface AliasInput {
  name?: FieldValue
  function_id?: FieldValue
  function_version?: FieldValue
  description?: FieldValue
  routing_config?: unknown
}

const VERSION_RANGE = { min: 0, max: Number.MAX_SAFE_INTEGER }

function requireLiveVersion(deps: EngineDeps, functionId: string, version: number): void {
  if (!deps.sql.liveVersion({ function_id: functionId, version_number: version })) {
    throw new EngineError('ALIAS_VERSION_NOT_FOUND', `Version ${version} of function ${functionId} does not exist.`, {
      function_id: functionId,
      version,
    })
  }
}

/** Version 0 is the function's current code; any other must exist now, and so must every weighted extra. */
function checkTarget(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  version: number,
  weights: Weights,
): string {
  const fn = findFunction(deps, ctx, requireUuid(functionId, 'function id'), 'own')
  if (version !== 0) requireLiveVersion(deps, fn.id, version)
  for (const extra of Object.keys(weights).map(Number)) {
    if (extra === version) {
      throw new EngineError(
        'INVALID_FIELD',
        `Invalid routing_config: version ${extra} is the alias's function_version; extras must be other versions.`,
        { field: 'routing_config' },
      )
    }
    requireLiveVersion(deps, fn.id, extra)
  }
  return fn.id
}

function findAlias(deps: EngineDeps, ctx: RequestContext, name: string): AliasRow {
  const row = deps.sql.aliasByName({ project_id: ctx.projectId, name })
  if (!row) throw new EngineError('ALIAS_NOT_FOUND', `Alias ${name} not found.`, { name })
  return row
}

function logAlias(deps: EngineDeps, ctx: RequestContext, action: EventAction, row: AliasRow): void {
  appendEvent(deps.sql, ctx, deps.now(), {
    action,
    functionId: row.function_id,
    version: row.function_version,
    alias: row.name,
    details: { routing_config: presentAlias(row).routing_config },
  })
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
  const weights = parseRoutingConfig(input.routing_config) ?? {}
  return deps.db.transaction(() => {
    const fid = checkTarget(deps, ctx, functionId, version, weights)
    if (deps.sql.aliasByName({ project_id: ctx.projectId, name }))
      throw new EngineError('ALIAS_EXISTS', `Alias ${name} already exists.`, { name })
    deps.sql.insertAlias({
      id: newId(),
      project_id: ctx.projectId,
      name,
      description,
      function_id: fid,
      function_version: version,
      routing_config: storedRoutingConfig(weights),
      created_at: formatTime(deps.now()),
    })
    const row = findAlias(deps, ctx, name)
    logAlias(deps, ctx, 'alias.create', row)
    return presentAlias(row)
  })()
}

/** The project's aliases in the order they were made, a page at a time when asked. */
export function listAliases(deps: EngineDeps, ctx: RequestContext, page: PageRequest = {}): Page<AliasRecord> {
  const limit = parseLimit(page.limit)
  const after =
    page.marker === undefined ? undefined : deps.sql.aliasByName({ project_id: ctx.projectId, name: page.marker })
  if (page.marker !== undefined && !after)
    throw invalidPaging('marker', `'${page.marker}' is not an alias of this list`)
  const rows = deps.sql.aliasesOfProjectPage({
    project_id: ctx.projectId,
    after_created_at: after?.created_at ?? null,
    after_name: after?.name ?? null,
    limit: sqlLimit(limit),
  })
  return pageOf(rows, limit, (a) => a.name, presentAlias)
}

export function getAlias(deps: EngineDeps, ctx: RequestContext, name: string): AliasRecord {
  return presentAlias(findAlias(deps, ctx, name))
}

/**
 * Changes what an alias points at; a null or absent field is left as it is, and
 * `routing_config` `{"additional_version_weights": {}}` clears the weights.
 */
export function updateAlias(
  deps: EngineDeps,
  ctx: RequestContext,
  name: string,
  input: AliasInput,
  precondition: Precondition = {},
): AliasRecord {
  const functionId = optionalText('function_id', input.function_id)
  const version = boundedInteger('function_version', input.function_version, VERSION_RANGE)
  const description = optionalText('description', input.description)
  const weights = parseRoutingConfig(input.routing_config)
  return deps.db.transaction(() => {
    const row = findAlias(deps, ctx, name)
    requireIfMatch(precondition.ifMatch, () => aliasEtag(row))
    const next = {
      id: row.id,
      function_id: functionId ?? row.function_id,
      function_version: version ?? row.function_version,
      description: description ?? row.description,
      routing_config: weights === undefined ? row.routing_config : storedRoutingConfig(weights),
      updated_at: formatTime(deps.now()),
    }
    next.function_id = checkTarget(deps, ctx, next.function_id, next.function_version, weightsOf(next.routing_config))
    deps.sql.updateAlias(next)
    const updated = findAlias(deps, ctx, name)
    logAlias(deps, ctx, 'alias.update', updated)
    return presentAlias(updated)
  })()
}

export function deleteAlias(
  deps: EngineDeps,
  ctx: RequestContext,
  name: string,
  precondition: Precondition = {},
): void {
  deps.db.transaction(() => {
    const row = findAlias(deps, ctx, name)
    requireIfMatch(precondition.ifMatch, () => aliasEtag(row))
    deps.sql.deleteAlias({ id: row.id })
    logAlias(deps, ctx, 'alias.delete', row)
  })()
}
