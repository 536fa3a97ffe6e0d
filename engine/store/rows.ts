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
  /** The config snapshot; `config_entry` is null for versions made before snapshots were kept. */
  config_entry: string | null
  config_runtime_id: string | null
  config_cpu: number | null
  config_memory_size: number | null
  config_timeout: number | null
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
