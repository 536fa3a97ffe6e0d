import { findFunction, findVersion, parseVersionNumber, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import type { FieldValue } from './function-fields.js'
import { detachFunction } from './functions.js'
import { runOperation } from './operations/run-operation.js'
import { presentVersion } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, VersionRecord } from './records.js'
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
): Promise<VersionRecord> {
  return runOperation(deps, 'create-version', { ctx, functionId, input })
}

export function listVersions(deps: EngineDeps, ctx: RequestContext, functionId: string): VersionRecord[] {
  const fn = findFunction(deps, ctx, functionId, 'read')
  return deps.sql.liveVersions({ function_id: fn.id }).map(presentVersion)
}

export function getVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): VersionRecord {
  return presentVersion(findVersion(deps, ctx, functionId, n, 'read'))
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
): Promise<void> {
  return runOperation(deps, 'delete-version', { ctx, functionId, number: n })
}

/** Releases what is held for serving version N (0: the function itself). Admin only; idempotent. */
export function detachVersion(deps: EngineDeps, ctx: RequestContext, functionId: string, n: string | number): void {
  requireAdmin(ctx, 'detach a function version')
  if (parseVersionNumber(n) === 0) return detachFunction(deps, ctx, functionId)
  const v = findVersion(deps, ctx, functionId, n, 'read')
  deps.sql.setVersionStatus({ id: v.id, status: 'detached', updated_at: formatTime(deps.now()) })
  deps.archives.drop(
    deps.sql.packageByCommitOrThrow({ function_id: v.function_id, commit_oid: v.commit_oid }).archive_blob,
  )
}
