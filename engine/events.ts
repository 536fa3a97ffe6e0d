import type { RequestContext } from './context.js'
import { EngineError } from './errors.js'
import { boundedInteger } from './function-fields.js'
import { requireUuid } from './ids.js'
import { MAX_PAGE, type Page, pageOf, parseLimit, sqlLimit } from './paging.js'
import type { EventRecord } from './records.js'
import type { EventStatements } from './store/event-statements.js'
import type { EventRow } from './store/rows.js'
import type { ReadStatements } from './store/statements.js'
import { formatTime } from './time.js'

/** Every change the audit log names. */
export type EventAction =
  | 'function.create'
  | 'function.update'
  | 'function.delete'
  | 'function.restore'
  | 'version.create'
  | 'version.delete'
  | 'version.detach'
  | 'version.prune'
  | 'alias.create'
  | 'alias.update'
  | 'alias.delete'
  | 'token.create'
  | 'token.revoke'

/** One change, as the code that makes it describes it; who and when are added by `appendEvent`. */
export interface EventSpec {
  action: EventAction
  functionId?: string | null
  version?: number | null
  alias?: string | null
  details?: Record<string, unknown>
}

/**
 * Appends one event. Every change calls this inside the transaction that makes
 * the change, so the event exists if and only if the change does, kill -9 included.
 */
export function appendEvent(
  sql: EventStatements,
  who: Pick<RequestContext, 'projectId' | 'actor'>,
  at: Date,
  e: EventSpec,
): void {
  sql.insertEvent({
    time: formatTime(at),
    project_id: who.projectId,
    actor: who.actor,
    action: e.action,
    function_id: e.functionId ?? null,
    version: e.version ?? null,
    alias: e.alias ?? null,
    details: JSON.stringify(e.details ?? {}),
  })
}

export function presentEvent(row: EventRow): EventRecord {
  return {
    id: row.id,
    time: row.time,
    project_id: row.project_id,
    actor: row.actor,
    action: row.action,
    function_id: row.function_id,
    version: row.version,
    alias: row.alias,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }
}

export interface EventFilter {
  allProjects?: boolean
  functionId?: string
  action?: string
  /** `YYYY-MM-DD HH:MM:SS` (or an ISO time), inclusive. */
  since?: string
  limit?: string | undefined
  /** The id of the last event of the previous page. */
  marker?: string | number | undefined
}

/** The audit log, oldest first: the caller's project, or every project for an admin who asks. */
export function listEvents(
  deps: { sql: Pick<ReadStatements, 'eventsPage'> },
  ctx: RequestContext | null,
  filter: EventFilter = {},
): Page<EventRecord> {
  if (filter.allProjects && ctx && ctx.role !== 'admin')
    throw new EngineError('FORBIDDEN', 'Only an admin may list the events of other projects.')
  // The log only grows: unlike the other lists, a page without `limit` holds at most the maximum.
  const limit = parseLimit(filter.limit) ?? MAX_PAGE
  const after = boundedInteger('marker', filter.marker, { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0
  const rows = deps.sql.eventsPage({
    project_id: ctx && !filter.allProjects ? ctx.projectId : null,
    function_id: filter.functionId === undefined ? null : requireUuid(filter.functionId, 'function_id'),
    action: filter.action ?? null,
    since: filter.since === undefined ? null : parseSince(filter.since),
    after,
    limit: sqlLimit(limit),
  })
  return pageOf(rows, limit, (row) => String(row.id), presentEvent)
}

function parseSince(since: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(since) ? `${since.replace(' ', 'T')}Z` : since)
  if (Number.isNaN(ms))
    throw new EngineError('INVALID_FIELD', `Invalid since '${since}': use a UTC time such as 2026-01-31 12:00:00.`, {
      field: 'since',
    })
  return formatTime(new Date(ms))
}
