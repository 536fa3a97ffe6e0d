import { versionTagName } from '../repos/git/version-tags.js'
import type { EngineDeps } from './deps.js'
import { etagOf } from './etags.js'
import type { AliasRecord, FunctionRecord, VersionRecord } from './records.js'
import type { AliasRow, FunctionRow, FunctionView, PackageRow, VersionRow, VersionView } from './store/rows.js'
import { configOfVersion } from './version-config.js'

export function currentPackage(deps: EngineDeps, fn: FunctionRow): PackageRow {
  const pkg = fn.head_commit ? deps.sql.packageByCommit({ function_id: fn.id, commit_oid: fn.head_commit }) : undefined
  if (!pkg) throw new Error(`function ${fn.id} has no package for its head ${fn.head_commit}`)
  return pkg
}

/** A function's answer, from its one joined row (reads never look anything up per row). */
export function presentFunction(fn: FunctionView): FunctionRecord {
  if (fn.md5sum === null || fn.package_commit === null || fn.package_tree === null) {
    throw new Error(`function ${fn.id} has no package for its head ${fn.head_commit}`)
  }
  return {
    id: fn.id,
    name: fn.name,
    description: fn.description,
    count: 0,
    code: JSON.stringify({ source: 'package', md5sum: fn.md5sum }),
    runtime_id: fn.runtime_id,
    entry: fn.entry,
    project_id: fn.project_id,
    created_at: fn.created_at,
    updated_at: fn.updated_at,
    cpu: fn.cpu,
    memory_size: fn.memory_size,
    timeout: fn.timeout,
    latest_version: fn.latest_version,
    version_retention: fn.version_retention,
    commit: fn.package_commit,
    tree: fn.package_tree,
    etag: functionEtag(fn),
  }
}

/** A version's answer, from its one joined row. */
export function presentVersion(v: VersionView): VersionRecord {
  return {
    id: v.id,
    description: v.description,
    function_id: v.function_id,
    count: 0,
    version_number: v.version_number,
    project_id: v.project_id,
    status: v.status,
    created_at: v.created_at,
    updated_at: v.updated_at,
    tag: versionTagName(v.version_number),
    tag_object: v.tag_oid ?? '',
    commit: v.commit_oid,
    tree: v.tree_oid,
    md5sum: v.md5sum,
    sha256: v.sha256,
    size: v.size,
    config: configOfVersion(v),
    etag: versionEtag(v),
  }
}

export function presentAlias(a: AliasRow): AliasRecord {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    function_id: a.function_id,
    function_version: a.function_version,
    routing_config: a.routing_config === null ? null : (JSON.parse(a.routing_config) as AliasRecord['routing_config']),
    project_id: a.project_id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    etag: aliasEtag(a),
  }
}

export const functionEtag = (fn: FunctionRow) => etagOf('function', fn.id, fn.revision)
export const versionEtag = (v: VersionRow) => etagOf('version', v.id, v.revision)
export const aliasEtag = (a: AliasRow) => etagOf('alias', a.id, a.revision)
