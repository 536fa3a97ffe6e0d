import type { Db } from './open-database.js'
import type { AliasRow, FunctionRow, FunctionView, OperationRow, PackageRow, VersionRow, VersionView } from './rows.js'
import { statementMakers } from './statement-makers.js'

type FunctionKey = Pick<FunctionRow, 'id'>
type OfFunction = Pick<VersionRow, 'function_id'>
type VersionKey = Pick<VersionRow, 'function_id' | 'version_number'>
type PackageKey = Pick<PackageRow, 'function_id' | 'commit_oid'>

const FUNCTION_BY_ID = `SELECT * FROM functions WHERE id = @id`
const PACKAGE_BY_COMMIT = `SELECT * FROM packages WHERE function_id = @function_id AND commit_oid = @commit_oid`
// A version is shown with its package's checksums and size: joined here rather than looked up row by row.
const VERSION_VIEW = `SELECT v.*, p.md5sum, p.sha256, p.size FROM versions v
  JOIN packages p ON p.function_id = v.function_id AND p.commit_oid = v.commit_oid`
const LIVE_VERSION = `${VERSION_VIEW}
  WHERE v.function_id = @function_id AND v.version_number = @version_number AND v.state = 'live'`
// A function is shown with its head package and newest live version, so a list is one query.
const FUNCTION_VIEW = `SELECT f.*, p.md5sum, p.commit_oid AS package_commit, p.tree_oid AS package_tree,
  coalesce((SELECT max(version_number) FROM versions WHERE function_id = f.id AND state = 'live'), 0) AS latest_version
  FROM functions f LEFT JOIN packages p ON p.function_id = f.id AND p.commit_oid = f.head_commit`

/**
 * Every SELECT, prepared once per connection and named for what it reads. The
 * admin tools run these alone on a read-only connection beside a running server.
 */
export function prepareReadStatements(db: Db) {
  const { one, getOne, all, count } = statementMakers(db)
  return {
    functionById: one<FunctionRow, FunctionKey>(FUNCTION_BY_ID),
    functionByIdOrThrow: getOne<FunctionRow, FunctionKey>('functionById', FUNCTION_BY_ID),
    functionIds: all<{ id: string }>(`SELECT id FROM functions ORDER BY created_at, id`),
    functionView: one<FunctionView, FunctionKey>(`${FUNCTION_VIEW} WHERE f.id = @id`),
    functionViewOrThrow: getOne<FunctionView, FunctionKey>('functionView', `${FUNCTION_VIEW} WHERE f.id = @id`),
    activeFunctions: all<FunctionView>(`${FUNCTION_VIEW} WHERE f.state = 'active' ORDER BY f.created_at, f.id`),
    activeFunctionsOfProject: all<FunctionView, Pick<FunctionRow, 'project_id'>>(
      `${FUNCTION_VIEW} WHERE f.state = 'active' AND f.project_id = @project_id ORDER BY f.created_at, f.id`,
    ),

    packageByCommit: one<PackageRow, PackageKey>(PACKAGE_BY_COMMIT),
    packageByCommitOrThrow: getOne<PackageRow, PackageKey>('packageByCommit', PACKAGE_BY_COMMIT),
    packagesOfFunction: all<PackageRow, OfFunction>(
      `SELECT * FROM packages WHERE function_id = @function_id ORDER BY created_at, commit_oid`,
    ),

    liveVersion: one<VersionView, VersionKey>(LIVE_VERSION),
    liveVersionOrThrow: getOne<VersionView, VersionKey>('liveVersion', LIVE_VERSION),
    liveVersions: all<VersionView, OfFunction>(
      `${VERSION_VIEW} WHERE v.function_id = @function_id AND v.state = 'live' ORDER BY v.version_number`,
    ),
    newestLiveVersion: one<VersionRow, OfFunction>(
      `SELECT * FROM versions WHERE function_id = @function_id AND state = 'live' ORDER BY version_number DESC LIMIT 1`,
    ),
    /** Pending ones count too: each holds a number and will be live unless undone. */
    countLiveVersions: count<OfFunction>(
      `SELECT count(*) AS n FROM versions WHERE function_id = @function_id AND state IN ('live', 'pending')`,
    ),
    /** Tombstones included. */
    versionsOfFunction: all<VersionRow, OfFunction>(
      `SELECT * FROM versions WHERE function_id = @function_id ORDER BY version_number`,
    ),

    aliasByName: one<AliasRow, Pick<AliasRow, 'project_id' | 'name'>>(
      `SELECT * FROM aliases WHERE project_id = @project_id AND name = @name`,
    ),
    aliasesOfProject: all<AliasRow, Pick<AliasRow, 'project_id'>>(
      `SELECT * FROM aliases WHERE project_id = @project_id ORDER BY created_at, name`,
    ),
    aliasesOfFunction: all<AliasRow, OfFunction>(`SELECT * FROM aliases WHERE function_id = @function_id`),
    aliasesOfFunctionByName: all<AliasRow, OfFunction>(
      `SELECT * FROM aliases WHERE function_id = @function_id ORDER BY project_id, name`,
    ),
    aliasesOfVersion: all<AliasRow, Pick<AliasRow, 'function_id' | 'function_version'>>(
      `SELECT * FROM aliases WHERE function_id = @function_id AND function_version = @function_version`,
    ),

    pendingOperations: all<OperationRow>(`SELECT * FROM operations ORDER BY id`),
    operationById: one<OperationRow, Pick<OperationRow, 'id'>>(`SELECT * FROM operations WHERE id = @id`),
    operationsOfFunction: all<OperationRow, OfFunction>(
      `SELECT * FROM operations WHERE function_id = @function_id ORDER BY id`,
    ),

    countFunctions: count(`SELECT count(*) AS n FROM functions`),
    countVersionsInState: count<Pick<VersionRow, 'state'>>(`SELECT count(*) AS n FROM versions WHERE state = @state`),
    countAliases: count(`SELECT count(*) AS n FROM aliases`),
    countPackages: count(`SELECT count(*) AS n FROM packages`),
    archiveBytes: count(`SELECT sum(size) AS n FROM packages`),
  }
}

/**
 * The reads and every write: what the engine runs, and what settling and
 * fsck's repairs run on a writable connection.
 */
export function prepareStatements(db: Db) {
  const { getOne, run } = statementMakers(db)
  return {
    ...prepareReadStatements(db),

    insertFunction: run<
      Omit<FunctionRow, 'head_commit' | 'version_counter' | 'state' | 'updated_at'>
    >(`INSERT INTO functions
      (id, project_id, name, description, runtime_id, entry, cpu, memory_size, timeout, state, created_at)
      VALUES (@id, @project_id, @name, @description, @runtime_id, @entry, @cpu, @memory_size, @timeout, 'creating', @created_at)`),
    updateFunctionFields: run<
      Pick<FunctionRow, 'id' | 'name' | 'description' | 'entry' | 'cpu' | 'memory_size' | 'timeout' | 'updated_at'>
    >(`UPDATE functions SET name = @name, description = @description, entry = @entry, cpu = @cpu,
      memory_size = @memory_size, timeout = @timeout, updated_at = @updated_at WHERE id = @id`),
    /** Also makes a function being created active: its first package is in. */
    setFunctionHead: run<Pick<FunctionRow, 'id' | 'head_commit' | 'updated_at'>>(
      `UPDATE functions SET head_commit = @head_commit, state = 'active', updated_at = @updated_at WHERE id = @id`,
    ),
    setFunctionState: run<Pick<FunctionRow, 'id' | 'state'>>(`UPDATE functions SET state = @state WHERE id = @id`),
    takeVersionNumber: getOne<Pick<FunctionRow, 'version_counter'>, FunctionKey>(
      'takeVersionNumber',
      `UPDATE functions SET version_counter = version_counter + 1 WHERE id = @id RETURNING version_counter`,
    ),
    raiseVersionCounter: run<Pick<FunctionRow, 'id' | 'version_counter'>>(
      `UPDATE functions SET version_counter = max(version_counter, @version_counter) WHERE id = @id`,
    ),
    deleteFunction: run<FunctionKey>(`DELETE FROM functions WHERE id = @id`),

    insertPackage: run<PackageRow>(`INSERT INTO packages
      (function_id, commit_oid, tree_oid, parent_commit, archive_blob, md5sum, sha256, size, created_at)
      VALUES (@function_id, @commit_oid, @tree_oid, @parent_commit, @archive_blob, @md5sum, @sha256, @size, @created_at)`),

    insertPendingVersion: run<
      Pick<
        VersionRow,
        | 'id'
        | 'function_id'
        | 'version_number'
        | 'project_id'
        | 'description'
        | 'commit_oid'
        | 'tree_oid'
        | 'created_at'
      >
    >(`INSERT INTO versions
      (id, function_id, version_number, project_id, description, commit_oid, tree_oid, status, state, created_at)
      VALUES (@id, @function_id, @version_number, @project_id, @description, @commit_oid, @tree_oid, 'available', 'pending', @created_at)`),
    confirmVersion: run<{ id: string; tag_oid: string }>(
      `UPDATE versions SET state = 'live', tag_oid = @tag_oid WHERE id = @id`,
    ),
    setVersionState: run<Pick<VersionRow, 'id' | 'state'>>(`UPDATE versions SET state = @state WHERE id = @id`),
    /** The row stays as a tombstone, so its number is never handed out again; a first deletion time is kept. */
    buryVersion: run<{ id: string; deleted_at: string }>(
      `UPDATE versions SET state = 'deleted', deleted_at = coalesce(deleted_at, @deleted_at) WHERE id = @id`,
    ),
    /** Leaves `updated_at` alone when the status is already the one asked for. */
    setVersionStatus: run<Pick<VersionRow, 'id' | 'status'> & { updated_at: string }>(
      `UPDATE versions SET status = @status, updated_at = @updated_at WHERE id = @id AND status <> @status`,
    ),

    insertAlias: run<Omit<AliasRow, 'updated_at'>>(`INSERT INTO aliases
      (id, project_id, name, description, function_id, function_version, created_at)
      VALUES (@id, @project_id, @name, @description, @function_id, @function_version, @created_at)`),
    updateAlias: run<
      Pick<AliasRow, 'id' | 'description' | 'function_id' | 'function_version'> & { updated_at: string }
    >(
      `UPDATE aliases SET description = @description, function_id = @function_id,
      function_version = @function_version, updated_at = @updated_at WHERE id = @id`,
    ),
    deleteAlias: run<Pick<AliasRow, 'id'>>(`DELETE FROM aliases WHERE id = @id`),

    insertOperation: getOne<Pick<OperationRow, 'id'>, Omit<OperationRow, 'id'>>(
      'insertOperation',
      `INSERT INTO operations (function_id, kind, payload, created_at)
      VALUES (@function_id, @kind, @payload, @created_at) RETURNING id`,
    ),
    deleteOperation: run<Pick<OperationRow, 'id'>>(`DELETE FROM operations WHERE id = @id`),
  }
}

export type ReadStatements = ReturnType<typeof prepareReadStatements>
export type Statements = ReturnType<typeof prepareStatements>
