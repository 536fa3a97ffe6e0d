import { diffChange } from '../repos/diff/file-diff.js'
import { diffTrees } from '../repos/diff/tree-diff.js'
import { readObject } from '../repos/read-object.js'
import { findFunction, findVersion } from './access.js'
import type { RequestContext } from './context.js'
import type { EngineDeps } from './deps.js'
import { currentPackage } from './present.js'
import type { VersionDiffRecord } from './records.js'
import { configChanges, configOfFunction, configOfVersion, type ConfigSnapshot } from './version-config.js'

type DiffEnd = VersionDiffRecord['from']

/**
 * Version `a` compared with version `to` or, by default, the function's current
 * package: the files that differ (with git's numstat counts), the config keys
 * that differ, and the same as a git patch. Config is compared only where both
 * ends kept a snapshot.
 */
export async function diffVersions(
  deps: EngineDeps,
  ctx: RequestContext,
  functionId: string,
  a: string | number,
  to: string | number = 'current',
): Promise<{ diff: VersionDiffRecord; patch: Buffer }> {
  const from = findVersion(deps, ctx, functionId, a, 'read')
  const fromEnd = { version: from.version_number, commit: from.commit_oid, tree: from.tree_oid }
  let toEnd: DiffEnd
  let toConfig: ConfigSnapshot | null
  if (to === 'current') {
    const fn = findFunction(deps, ctx, functionId, 'read')
    const pkg = currentPackage(deps, fn)
    toEnd = { version: null, commit: pkg.commit_oid, tree: pkg.tree_oid }
    toConfig = configOfFunction(fn)
  } else {
    const v = findVersion(deps, ctx, functionId, to, 'read')
    toEnd = { version: v.version_number, commit: v.commit_oid, tree: v.tree_oid }
    toConfig = configOfVersion(v)
  }
  const fromConfig = configOfVersion(from)
  const gitdir = deps.repos.gitdir(from.function_id)
  const read = (oid: string) => readObject(gitdir, oid)
  const changes = await diffTrees(read, fromEnd.tree, toEnd.tree)
  const diffs = []
  for (const change of changes) diffs.push(await diffChange(read, change))
  const files = diffs.map((d) => d.file)
  return {
    diff: {
      from: fromEnd,
      to: toEnd,
      files,
      config: fromConfig && toConfig ? configChanges(fromConfig, toConfig) : {},
      stats: {
        files_changed: files.length,
        additions: files.reduce((n, f) => n + (f.additions ?? 0), 0),
        deletions: files.reduce((n, f) => n + (f.deletions ?? 0), 0),
      },
    },
    patch: Buffer.concat(diffs.map((d) => d.patch)),
  }
}
