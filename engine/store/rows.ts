/** Rows as SQLite holds them. */
export interface FunctionRow {
  id: string
  project_id: string
  name: string | null
  description: string | null
  runtime_id: string | null
  entry: string
  cpu: number
  memory_size: number
  timeout: number
  head_commit: string | null
  version_counter: number
  state: 'creating' | 'active' | 'deleting'
  created_at: string
  updated_at: string | null
  /** Goes up with every change a client can see: the ETag's source. */
  revision: number
  /** At most this many live versions; 0: no limit. */
  version_retention: number
}

export interface PackageRow {
  function_id: string
  commit_oid: string
  tree_oid: string
  parent_commit: string | null
  archive_blob: string
  md5sum: string
  sha256: string
  size: number
  created_at: string
}

export interface VersionRow {
  id: string
  function_id: string
  version_number: number
  project_id: string
  description: string
  commit_oid: string
  tree_oid: string
  tag_oid: string | null
  status: 'available' | 'detached'
  state: 'pending' | 'live' | 'deleting' | 'deleted'
  created_at: string
  updated_at: string | null
  deleted_at: string | null
  /** The config snapshot; `config_entry` is null for versions made before snapshots were kept. */
  config_entry: string | null
  config_runtime_id: string | null
  config_cpu: number | null
  config_memory_size: number | null
  config_timeout: number | null
  revision: number
}

/** A version with what its answer shows of its package: one row, one query. */
export type VersionView = VersionRow & Pick<PackageRow, 'md5sum' | 'sha256' | 'size'>

/** A function with what its answer shows of its current package and its newest live version: one row, one query. */
export type FunctionView = FunctionRow & {
  /** The head package's checksum, commit and tree; null only while the function is being created. */
  md5sum: string | null
  package_commit: string | null
  package_tree: string | null
  /** 0 when it has no live version. */
  latest_version: number
}

export interface AliasRow {
  id: string
  project_id: string
  name: string
  description: string | null
  function_id: string
  function_version: number
  created_at: string
  updated_at: string | null
  revision: number
  /** JSON `{"additional_version_weights": {"<n>": w}}`, or null. */
  routing_config: string | null
}

export interface OperationRow {
  id: number
  function_id: string
  kind: string
  payload: string
  created_at: string
  /** Who asked for it; null in rows written before the audit log existed. */
  project_id: string | null
  actor: string | null
}

/** One change, as the audit log keeps it. */
export interface EventRow {
  id: number
  time: string
  project_id: string
  /** A token's id, `no-auth` or `cli`. */
  actor: string
  action: string
  function_id: string | null
  version: number | null
  alias: string | null
  /** JSON object. */
  details: string
}
