import { writeVersionTagRef } from '../../repos/git/version-tags.js'
import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import type { EngineDeps } from '../deps.js'
import type { EventSpec } from '../events.js'
import type { ReadStatements } from '../store/statements.js'
import { buryVersion, type VersionPayload } from './bury-version.js'
import { type OperationDefinition, planAsGiven, type SettleDeps, type StepTypes } from './operation.js'

/** A version being pruned, with the tag object that puts it back if the prune is undone. */
export type PrunedVersion = VersionPayload & { tagOid: string | null }

/**
 * The versions to delete so that only the newest `keep` remain, and the older
 * ones an alias routes to (with or without weight): those never go, so a
 * function with referenced older versions holds more than `keep`. A pending
 * version (the one being made) counts among the newest. Reads only:
 * `admin prune --dry-run` uses it as is.
 */
export function pruneVictims(sql: ReadStatements, functionId: string, keep: number): PrunedVersion[] {
  const oldestKept = sql.nthNewestVersion({ function_id: functionId, nth: keep })
  if (!oldestKept) return []
  return sql
    .unreferencedLiveVersions({ function_id: functionId })
    .filter((v) => v.version_number < oldestKept.version_number)
    .map((v) => ({ versionId: v.id, number: v.version_number, tagOid: v.tag_oid }))
}

/**
 * The steps of a prune, shared by the version create that applies retention and
 * the on-demand prune: hide the versions in the reserve, delete their tags in
 * the git step, bury their rows in the confirm; or, to undo, put them back.
 */
export const pruneSteps = {
  reserve(deps: EngineDeps, functionId: string, keep: number): PrunedVersion[] {
    const victims = pruneVictims(deps.sql, functionId, keep)
    for (const v of victims) deps.sql.setVersionState({ id: v.versionId, state: 'deleting' })
    return victims
  },
  async git(deps: SettleDeps, functionId: string, pruned: PrunedVersion[]): Promise<void> {
    for (const v of pruned) await buryVersion.settleGit(deps, functionId, v)
  },
  confirm(deps: SettleDeps, functionId: string, pruned: PrunedVersion[]): void {
    for (const v of pruned) buryVersion.settleRows(deps, functionId, v)
  },
  /** Undoes a prune that was never confirmed: each tag back on its recorded object, each row live again. */
  async undoGit(deps: SettleDeps, functionId: string, pruned: PrunedVersion[]): Promise<void> {
    if (!(await deps.repos.exists(functionId))) return
    const gitdir = deps.repos.gitdir(functionId)
    for (const v of pruned) if (v.tagOid) await writeVersionTagRef(gitdir, v.number, v.tagOid)
  },
  undoRows(deps: SettleDeps, pruned: PrunedVersion[]): void {
    for (const v of pruned) deps.sql.setVersionState({ id: v.versionId, state: 'live' })
  },
  event: (functionId: string, keep: number, pruned: PrunedVersion[]): EventSpec[] =>
    pruned.length === 0
      ? []
      : [{ action: 'version.prune', functionId, details: { keep, versions: pruned.map((v) => v.number) } }],
}

type PruneVersions = StepTypes<{
  input: { ctx: RequestContext; functionId: string; keep: number }
  payload: { keep: number; pruned: PrunedVersion[] }
  result: number[]
}>

/**
 * Deletes a function's oldest unreferenced versions beyond `keep`, as retention
 * does on a version create (`tagstone admin prune`). Like a delete, the reserve
 * hides them, so after a crash the prune is finished.
 */
export const pruneVersions: OperationDefinition<PruneVersions> = {
  prepare: planAsGiven,

  reserve(deps, { ctx, functionId, keep }) {
    const fn = findFunction(deps, ctx, functionId, 'own')
    const pruned = pruneSteps.reserve(deps, fn.id, keep)
    if (pruned.length === 0) return { functionId: fn.id, payload: { keep, pruned }, state: undefined, rowsOnly: true }
    deps.sql.bumpFunctionRevision({ id: fn.id })
    return { functionId: fn.id, payload: { keep, pruned }, state: undefined }
  },

  git: (deps, { functionId, payload }) => pruneSteps.git(deps, functionId, payload.pruned),
  confirm: (deps, { functionId, payload }) => pruneSteps.confirm(deps, functionId, payload.pruned),
  result: (_deps, { payload }) => payload.pruned.map((v) => v.number),
  events: (_deps, { functionId, payload }) => pruneSteps.event(functionId, payload.keep, payload.pruned),

  finishesOnSettle: true,
  settleGit: (deps, functionId, payload) => pruneSteps.git(deps, functionId, payload.pruned),
  settleRows: (deps, functionId, payload) => pruneSteps.confirm(deps, functionId, payload.pruned),
}
