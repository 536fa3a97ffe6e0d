import { findFunction, findVersion, findVisibleVersionKey, parseVersionNumber, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import type { FieldValue } from './function-fields.js'
import { detachFunction, type Precondition, recordDetach } from './functions.js'
import { runOperation } from './operations/run-operation.js'
import { invalidPaging, type Page, pageOf, type PageRequest, parseLimit, sqlLimit } from './paging.js'
import { presentVersion } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, FunctionRecord, VersionRecord } from './records.js'
import { formatTime } from './time.js'

/**
 * Makes version N of a function: reserve the number in SQLite, write the
 * annotated tag `vN` on `main`'s head, confirm. Refused (without using a number)
 * when the code has not changed since the newest version or the maximum is reached.
 */
export function createVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  input: { description?: FieldValue },
  precondition: Precondition = {},
): Promise<VersionRecord> {
  return runOperation(deps, 'create-version', { ctx, functionId, input, ...precondition })
}

/** Live versions in `version_number` order (ascending unless `sort_dir=desc`), a page at a time when asked. */
export function listVersions(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  page: PageRequest = {},
): Page<VersionRecord> {
  const fn = findFunction(deps, ctx, functionId, 'read')
  const limit = parseLimit(page.limit)
  const dir = page.sort_dir ?? 'asc'
  if (dir !== 'asc' && dir !== 'desc') throw invalidPaging('sort_dir', "must be 'asc' or 'desc'")
  // A marker need not exist any more: a deleted version still has its place in the order.
  const marker = page.marker === undefined ? undefined : versionMarker(page.marker)
  const of = { function_id: fn.id, limit: sqlLimit(limit) }
  const up = { ...of, after: marker ?? 0 }
  const down = { ...of, before: marker ?? Number.MAX_SAFE_INTEGER }
  const keys = dir === 'asc' ? deps.sql.liveVersionKeysUp(up) : deps.sql.liveVersionKeysDown(down)
  const shown = pageOf(keys, limit, markerOfVersion, (k) => k)
  const rows = () => (dir === 'asc' ? deps.sql.liveVersionsUp(up) : deps.sql.liveVersionsDown(down))
  return { ...shown, items: deps.versionRecords.of(shown.items, () => rows().slice(0, shown.items.length)) }
}

/** A page's marker: the number of its last version. */
const markerOfVersion = (v: { version_number: number }) => String(v.version_number)

function versionMarker(raw: string): number {
  const n = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : NaN
  if (Number.isNaN(n)) throw invalidPaging('marker', `'${raw}' is not a version number`)
  return n
}

export function getVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): VersionRecord {
  const key = findVisibleVersionKey(deps, ctx, functionId, n, 'read')
  const read = () => findVersion(deps, ctx, functionId, n, 'read')
  return key ? deps.versionRecords.of([key], () => [read()])[0]! : presentVersion(read())
}

/** The version's package, byte for byte as uploaded; a detached version is attached again. */
export async function downloadVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): Promise<Download> {
  const v = findVersion(deps, ctx, functionId, n, 'read')
  const pkg = deps.sql.packageByCommitOrThrow({ function_id: v.function_id, commit_oid: v.commit_oid })
  const bytes = await readPackageBytes(deps, pkg)
  deps.sql.setVersionStatus({ id: v.id, status: 'available', updated_at: formatTime(deps.now()) })
  return { bytes, md5sum: pkg.md5sum, filename: `${v.function_id}_v${v.version_number}.zip` }
}

/** Deletes version N: its tag goes, its number stays used. Refused while an alias points at it. */
export function deleteVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
  precondition: Precondition = {},
): Promise<void> {
  return runOperation(deps, 'delete-version', { ctx, functionId, number: n, ...precondition })
}

/**
 * Makes version N the function's current code and config again, as a new commit
 * on `main`; nothing changes when the function already equals it.
 */
export function restoreVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
  precondition: Precondition = {},
): Promise<FunctionRecord> {
  return runOperation(deps, 'restore-function', { ctx, functionId, number: n, ...precondition })
}

/** Releases what is held for serving version N (0: the function itself). Admin only; idempotent. */
export function detachVersion(deps: EngineDeps, ctx: RequestContext, functionId: string, n: string | number): void {
  requireAdmin(ctx, 'detach a function version')
  if (parseVersionNumber(n) === 0) return detachFunction(deps, ctx, functionId)
  const v = findVersion(deps, ctx, functionId, n, 'read')
  deps.db.transaction(() => {
    deps.sql.setVersionStatus({ id: v.id, status: 'detached', updated_at: formatTime(deps.now()) })
    recordDetach(deps, ctx, { id: v.function_id, project_id: v.project_id }, v.version_number)
  })()
  deps.archives.drop(
    deps.sql.packageByCommitOrThrow({ function_id: v.function_id, commit_oid: v.commit_oid }).archive_blob,
  )
}
