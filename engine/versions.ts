import { deleteVersionTag, writeVersionTag } from '../repos/git/version-tags.js'
import { findFunction, requireAdmin } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { EngineError } from './errors.js'
import { type FieldValue, optionalText } from './function-fields.js'
import { detachFunction } from './functions.js'
import { newId } from './ids.js'
import { beginOperation, endOperation } from './journal.js'
import { currentPackage, presentVersion } from './present.js'
import { readPackageBytes } from './read-package.js'
import type { Download, VersionRecord } from './records.js'
import { orSettle } from './recovery.js'
import type { VersionRow } from './store/rows.js'
import { formatTime, wholeSeconds } from './time.js'

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
  const description = optionalText('description', input.description) ?? ''
  return deps.locks.run(functionId, async () => {
    const at = wholeSeconds(deps.now())
    const reserved = deps.db
      .transaction(() => {
        const fn = findFunction(deps, ctx, functionId, 'own')
        const pkg = currentPackage(deps, fn)
        const newest = deps.sql.newestLiveVersion(fn.id)
        if (newest && newest.tree_oid === pkg.tree_oid) {
          throw new EngineError(
            'VERSION_UNCHANGED',
            `Function package not changed since the latest version ${newest.version_number}.`,
            { version: newest.version_number },
          )
        }
        if (deps.sql.countLiveVersions(fn.id)!.n >= deps.limits.maxVersions) {
          throw new EngineError(
            'VERSION_LIMIT',
            `Can not exceed maximum number(${deps.limits.maxVersions}) of versions.`,
            { max: deps.limits.maxVersions },
          )
        }
        const number = deps.sql.takeVersionNumber(fn.id)!.version_counter
        const versionId = newId()
        deps.sql.insertPendingVersion({
          id: versionId,
          function_id: fn.id,
          version_number: number,
          project_id: fn.project_id,
          description,
          commit_oid: pkg.commit_oid,
          tree_oid: pkg.tree_oid,
          created_at: formatTime(at),
        })
        const opId = beginOperation(deps, fn.id, 'create-version', { versionId, number, commit: pkg.commit_oid })
        return { fn, number, versionId, opId, commit: pkg.commit_oid }
      })
      .immediate()
    await orSettle(deps, reserved.opId, async () => {
      const tagOid = await writeVersionTag(deps.repos.gitdir(reserved.fn.id), {
        number: reserved.number,
        commit: reserved.commit,
        message: description,
        time: at.getTime() / 1000,
      })
      deps.db.transaction(() => {
        deps.sql.confirmVersion(tagOid, reserved.versionId)
        endOperation(deps, reserved.opId)
      })()
    })
    return presentVersion(deps, deps.sql.liveVersion(reserved.fn.id, reserved.number)!)
  })
}

export function listVersions(deps: EngineDeps, ctx: RequestContext, functionId: string): VersionRecord[] {
  const fn = findFunction(deps, ctx, functionId, 'read')
  return deps.sql.liveVersions(fn.id).map((v) => presentVersion(deps, v))
}

function parseVersionNumber(raw: string | number): number {
  const n = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < 0)
    throw new EngineError('INVALID_FIELD', `Invalid version number '${raw}': must be a whole number.`)
  return n
}

function findVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  raw: string | number,
  access: 'read' | 'own',
): VersionRow {
  const fn = findFunction(deps, ctx, functionId, access)
  const n = parseVersionNumber(raw)
  const row = deps.sql.liveVersion(fn.id, n)
  if (!row)
    throw new EngineError('VERSION_NOT_FOUND', `Version ${n} of function ${fn.id} not found.`, {
      function_id: fn.id,
      version: n,
    })
  return row
}

export function getVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): VersionRecord {
  return presentVersion(deps, findVersion(deps, ctx, functionId, n, 'read'))
}

/** The version's package, byte for byte as uploaded; a detached version is attached again. */
export async function downloadVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): Promise<Download> {
  const v = findVersion(deps, ctx, functionId, n, 'read')
  const pkg = deps.sql.packageByCommit(v.function_id, v.commit_oid)!
  const bytes = await readPackageBytes(deps, pkg)
  deps.sql.setVersionStatus('available', formatTime(deps.now()), v.id, 'available')
  return { bytes, md5sum: pkg.md5sum, filename: `${v.function_id}_v${v.version_number}.zip` }
}

/** Deletes version N: its tag goes, its number stays used. Refused while an alias points at it. */
export function deleteVersion(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  n: string | number,
): Promise<void> {
  return deps.locks.run(functionId, async () => {
    const v = findVersion(deps, ctx, functionId, n, 'own')
    const aliases = deps.sql.aliasesOfVersion(v.function_id, v.version_number)
    if (aliases.length > 0) {
      throw new EngineError(
        'VERSION_IN_USE',
        `Version ${v.version_number} is used by alias(es) ${aliases.map((a) => a.name).join(', ')}; delete or move them first.`,
      )
    }
    const opId = deps.db.transaction(() => {
      deps.sql.setVersionState('deleting', v.id)
      return beginOperation(deps, v.function_id, 'delete-version', { versionId: v.id, number: v.version_number })
    })()
    await deleteVersionTag(deps.repos.gitdir(v.function_id), v.version_number)
    deps.db.transaction(() => {
      deps.sql.buryVersion(formatTime(deps.now()), v.id)
      endOperation(deps, opId)
    })()
  })
}

/** Releases what is held for serving version N (0: the function itself). Admin only; idempotent. */
export function detachVersion(deps: EngineDeps, ctx: RequestContext, functionId: string, n: string | number): void {
  requireAdmin(ctx, 'detach a function version')
  if (parseVersionNumber(n) === 0) return detachFunction(deps, ctx, functionId)
  const v = findVersion(deps, ctx, functionId, n, 'read')
  deps.sql.setVersionStatus('detached', formatTime(deps.now()), v.id, 'detached')
  deps.archives.drop(deps.sql.packageByCommit(v.function_id, v.commit_oid)!.archive_blob)
}
