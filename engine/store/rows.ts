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
}

export interface OperationRow {
  id: number
  function_id: string
  kind: string
  payload: string
  created_at: string
}
