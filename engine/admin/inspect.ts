import { listTagRefs, versionTagName } from '../../repos/git/version-tags.js'
import { directoryBytes, mainHistoryLength } from '../../repos/inspect-repo.js'
import { readMain } from '../../repos/package-refs.js'
import { EngineError } from '../errors.js'
import { requireUuid } from '../ids.js'
import { type AdminTarget, withAdminDeps } from './admin-deps.js'
import { readFunctionSnapshot } from './function-snapshot.js'

/** One function as an operator needs to see it: SQLite's rows and what its repository holds. */
export interface FunctionInspection {
  function: {
    id: string
    name: string | null
    description: string | null
    project_id: string
    runtime_id: string | null
    entry: string
    cpu: number
    memory_size: number
    timeout: number
    state: string
    head_commit: string | null
    version_counter: number
    created_at: string
    updated_at: string | null
  }
  /** Every version row, tombstones included, in number order. */
  versions: Array<{
    number: number
    state: string
    status: string
    tag: string
    /** What `refs/tags/vN` names now (null when there is no such ref). */
    tag_ref: string | null
    tag_object: string | null
    commit: string
    tree: string
    size: number | null
    md5sum: string | null
    created_at: string
    deleted_at: string | null
  }>
  aliases: Array<{ name: string; project_id: string; function_version: number }>
  packages: number
  main: { commit: string | null; history_length: number; history_complete: boolean }
  repo: { path: string; exists: boolean; bytes: number }
  operations: Array<{ id: number; kind: string; created_at: string }>
}

/**
 * Everything about one function, whatever its project or state. Reads only;
 * given a data directory it opens it read-only, beside a running server.
 */
export function inspectFunction(target: AdminTarget, functionId: string): Promise<FunctionInspection> {
  return withAdminDeps(target, async (d) => {
    const id = requireUuid(functionId, 'function id')
    const s = readFunctionSnapshot(d, id)
    if (!s) throw new EngineError('FUNCTION_NOT_FOUND', `Function ${id} not found.`, { function_id: id })
    const aliases = d.sql.aliasesOfFunctionByName({ function_id: id })
    const gitdir = d.repos.gitdir(id)
    const exists = await d.repos.exists(id)
    const tags = exists ? await listTagRefs(gitdir) : new Map<string, string>()
    const history = exists ? await mainHistoryLength(gitdir) : { commits: 0, complete: false }
    return {
      function: { ...s.fn },
      versions: s.versions.map((v) => {
        const pkg = s.packages.find((p) => p.commit_oid === v.commit_oid)
        return {
          number: v.version_number,
          state: v.state,
          status: v.status,
          tag: versionTagName(v.version_number),
          tag_ref: tags.get(versionTagName(v.version_number)) ?? null,
          tag_object: v.tag_oid,
          commit: v.commit_oid,
          tree: v.tree_oid,
          size: pkg?.size ?? null,
          md5sum: pkg?.md5sum ?? null,
          created_at: v.created_at,
          deleted_at: v.deleted_at,
        }
      }),
      aliases: aliases.map((a) => ({ name: a.name, project_id: a.project_id, function_version: a.function_version })),
      packages: s.packages.length,
      main: {
        commit: exists ? await readMain(gitdir) : null,
        history_length: history.commits,
        history_complete: history.complete,
      },
      repo: { path: gitdir, exists, bytes: exists ? await directoryBytes(gitdir) : 0 },
      operations: s.operations.map((op) => ({ id: op.id, kind: op.kind, created_at: op.created_at })),
    }
  })
}
