import { prepareEventStatements } from './event-statements.js'
import type { Db } from './open-database.js'
import type {
  AliasRow,
  EventRow,
  FunctionRow,
  FunctionView,
  OperationRow,
  PackageRow,
  VersionRow,
  VersionView,
} from './rows.js'
import { statementMakers } from './statement-makers.js'

type FunctionKey = Pick<FunctionRow, 'id'>
type OfFunction = Pick<VersionRow, 'function_id'>
type VersionKey = Pick<VersionRow, 'function_id' | 'version_number'>
type PackageKey = Pick<PackageRow, 'function_id' | 'commit_oid'>
type LiveVersionsUp = OfFunction & { after: number; limit: number }
type LiveVersionsDown = OfFunction & { before: number; limit: number }

const FUNCTION_BY_ID = `SELECT * FROM functions WHERE id = @id`
const PACKAGE_BY_COMMIT = `SELECT * FROM packages WHERE function_id = @function_id AND commit_oid = @commit_oid`
/** Keyset: rows after the marker's place in the (created_at, id) order; every row when there is no marker. */
const FUNCTIONS_AFTER = `(@after_id IS NULL OR (f.created_at, f.id) > (@after_created_at, @after_id))`
type FunctionsAfter = { after_created_at: string | null; after_id: string | null; limit: number }
// A version is shown with its package's checksums and size: joined here rather than looked up row by row.
const VERSION_VIEW = `SELECT v.*, p.md5sum, p.sha256, p.size FROM versions v
  JOIN packages p ON p.function_id = v.function_id AND p.commit_oid = v.commit_oid`
const LIVE_VERSION = `${VERSION_VIEW}
  WHERE v.function_id = @function_id AND v.version_number = @version_number AND v.state = 'live'`
/** The live version with the project of its function, only while that function is active: a read's one query. */
const LIVE_VERSION_OF_ACTIVE_FUNCTION = `SELECT v.*, p.md5sum, p.sha256, p.size, f.project_id AS function_project_id
  FROM versions v JOIN packages p ON p.function_id = v.function_id AND p.commit_oid = v.commit_oid
  JOIN functions f ON f.id = v.function_id AND f.state = 'active'
  WHERE v.function_id = @function_id AND v.version_number = @version_number AND v.state = 'live'`
/** The same, reading only what names the version's answer (VersionRecords has the rest). */
const LIVE_VERSION_KEY_OF_ACTIVE_FUNCTION = `SELECT v.id, v.revision, f.project_id AS function_project_id
  FROM versions v JOIN functions f ON f.id = v.function_id AND f.state = 'active'
  WHERE v.function_id = @function_id AND v.version_number = @version_number AND v.state = 'live'`
const LIVE_VERSIONS_UP = `WHERE v.function_id = @function_id AND v.state = 'live' AND v.version_number > @after
  ORDER BY v.version_number LIMIT @limit`
const LIVE_VERSIONS_DOWN = `WHERE v.function_id = @function_id AND v.state = 'live' AND v.version_number < @before
  ORDER BY v.version_number DESC LIMIT @limit`
const VERSION_KEYS = `SELECT v.id, v.revision, v.version_number FROM versions v`
type VersionKeyRow = Pick<VersionRow, 'id' | 'revision' | 'version_number'>
// A function is shown with its head package and newest live version, so a list is one query.
export const FUNCTION_VIEW = `SELECT f.*, p.md5sum, p.commit_oid AS package_commit, p.tree_oid AS package_tree,
  coalesce((SELECT max(version_number) FROM versions WHERE function_id = f.id AND state = 'live'), 0) AS latest_version
  FROM functions f LEFT JOIN packages p ON p.function_id = f.id AND p.commit_oid = f.head_commit`
/** Whether alias \`a\` routes to version \`n\`: as its version, or as one of its weighted extras. */
const ALIAS_ROUTES_TO = (a: string, n: string) => `(${a}.function_version = ${n} OR EXISTS (
  SELECT 1 FROM json_each(${a}.routing_config, '$.additional_version_weights') w WHERE CAST(w.key AS INTEGER) = ${n}))`

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
    /** A page of every project's functions, after the one at (`after_created_at`, `after_id`) when given. */
    activeFunctionsPage: all<FunctionView, FunctionsAfter>(
      `${FUNCTION_VIEW} WHERE f.state = 'active' AND ${FUNCTIONS_AFTER} ORDER BY f.created_at, f.id LIMIT @limit`,
    ),
    activeFunctionsOfProjectPage: all<FunctionView, FunctionsAfter & Pick<FunctionRow, 'project_id'>>(
      `${FUNCTION_VIEW} WHERE f.state = 'active' AND f.project_id = @project_id AND ${FUNCTIONS_AFTER}
      ORDER BY f.created_at, f.id LIMIT @limit`,
    ),

    packageByCommit: one<PackageRow, PackageKey>(PACKAGE_BY_COMMIT),
    packageByCommitOrThrow: getOne<PackageRow, PackageKey>('packageByCommit', PACKAGE_BY_COMMIT),
    packagesOfFunction: all<PackageRow, OfFunction>(
      `SELECT * FROM packages WHERE function_id = @function_id ORDER BY created_at, commit_oid`,
    ),

    liveVersion: one<VersionView, VersionKey>(LIVE_VERSION),
    liveVersionOfActiveFunction: one<VersionView & { function_project_id: string }, VersionKey>(
      LIVE_VERSION_OF_ACTIVE_FUNCTION,
    ),
    liveVersionKeyOfActiveFunction: one<
      Pick<VersionRow, 'id' | 'revision'> & { function_project_id: string },
      VersionKey
    >(LIVE_VERSION_KEY_OF_ACTIVE_FUNCTION),
    liveVersionOrThrow: getOne<VersionView, VersionKey>('liveVersion', LIVE_VERSION),
    /** A page of live versions after number `after` (0: from the start), ascending. */
    liveVersionsUp: all<VersionView, LiveVersionsUp>(`${VERSION_VIEW} ${LIVE_VERSIONS_UP}`),
    /** The same page, only what names each answer: from the `live_versions` index alone. */
    liveVersionKeysUp: all<VersionKeyRow, LiveVersionsUp>(`${VERSION_KEYS} ${LIVE_VERSIONS_UP}`),
    /** A page of live versions below number `before`, descending. */
    liveVersionsDown: all<VersionView, LiveVersionsDown>(`${VERSION_VIEW} ${LIVE_VERSIONS_DOWN}`),
    liveVersionKeysDown: all<VersionKeyRow, LiveVersionsDown>(`${VERSION_KEYS} ${LIVE_VERSIONS_DOWN}`),
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
    /** A page of a project's aliases, after the one at (`after_created_at`, `after_name`) when given. */
    aliasesOfProjectPage: all<
      AliasRow,
      Pick<AliasRow, 'project_id'> & { after_created_at: string | null; after_name: string | null; limit: number }
    >(
      `SELECT * FROM aliases WHERE project_id = @project_id
      AND (@after_name IS NULL OR (created_at, name) > (@after_created_at, @after_name))
      ORDER BY created_at, name LIMIT @limit`,
    ),
    aliasesOfFunction: all<AliasRow, OfFunction>(`SELECT * FROM aliases WHERE function_id = @function_id`),
    aliasesOfFunctionByName: all<AliasRow, OfFunction>(
      `SELECT * FROM aliases WHERE function_id = @function_id ORDER BY project_id, name`,
    ),
    /** Aliases that route to the version, with weight or without. */
    aliasesOfVersion: all<AliasRow, Pick<AliasRow, 'function_id' | 'function_version'>>(
      `SELECT * FROM aliases a WHERE a.function_id = @function_id AND ${ALIAS_ROUTES_TO('a', '@function_version')}
      ORDER BY a.name`,
    ),
    /** The number of the \`nth\` newest version (1: the newest), pending ones included: where retention's keep ends. */
    nthNewestVersion: one<Pick<VersionRow, 'version_number'>, OfFunction & { nth: number }>(
      `SELECT version_number FROM versions WHERE function_id = @function_id AND state IN ('live', 'pending')
      ORDER BY version_number DESC LIMIT 1 OFFSET @nth - 1`,
    ),
    /** Live versions no alias routes to, oldest first: what retention may delete. */
    unreferencedLiveVersions: all<VersionRow, OfFunction>(
      `SELECT * FROM versions v WHERE v.function_id = @function_id AND v.state = 'live' AND NOT EXISTS (
        SELECT 1 FROM aliases a WHERE a.function_id = v.function_id AND ${ALIAS_ROUTES_TO('a', 'v.version_number')})
      ORDER BY v.version_number`,
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

    /** A page of the audit log, oldest first, after event \`after\`; a null filter matches every event. */
    eventsPage: all<
      EventRow,
      {
        project_id: string | null
        function_id: string | null
        action: string | null
        since: string | null
        after: number
        limit: number
      }
    >(
      `SELECT * FROM events WHERE id > @after
        AND (@project_id IS NULL OR project_id = @project_id) AND (@function_id IS NULL OR function_id = @function_id)
        AND (@action IS NULL OR action = @action) AND (@since IS NULL OR time >= @since)
      ORDER BY id LIMIT @limit`,
    ),
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
      Omit<FunctionRow, 'head_commit' | 'version_counter' | 'state' | 'updated_at' | 'revision'>
    >(`INSERT INTO functions
      (id, project_id, name, description, runtime_id, entry, cpu, memory_size, timeout, version_retention, state, created_at)
      VALUES (@id, @project_id, @name, @description, @runtime_id, @entry, @cpu, @memory_size, @timeout, @version_retention,
        'creating', @created_at)`),
    updateFunctionFields: run<FunctionFieldsRow>(`UPDATE functions SET name = @name, description = @description,
      runtime_id = @runtime_id, entry = @entry, cpu = @cpu, memory_size = @memory_size, timeout = @timeout,
      version_retention = @version_retention, updated_at = @updated_at, revision = revision + 1 WHERE id = @id`),
    /** Also makes a function being created active: its first package is in. */
    setFunctionHead: run<Pick<FunctionRow, 'id' | 'head_commit' | 'updated_at'>>(
      `UPDATE functions SET head_commit = @head_commit, state = 'active', updated_at = @updated_at,
      revision = revision + 1 WHERE id = @id`,
    ),
    /** A change the function shows without a field of its own changing (its \`latest_version\`). */
    bumpFunctionRevision: run<FunctionKey>(`UPDATE functions SET revision = revision + 1 WHERE id = @id`),
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
        | 'config_entry'
        | 'config_runtime_id'
        | 'config_cpu'
        | 'config_memory_size'
        | 'config_timeout'
      >
    >(`INSERT INTO versions
      (id, function_id, version_number, project_id, description, commit_oid, tree_oid, status, state, created_at,
       config_entry, config_runtime_id, config_cpu, config_memory_size, config_timeout)
      VALUES (@id, @function_id, @version_number, @project_id, @description, @commit_oid, @tree_oid, 'available', 'pending', @created_at,
       @config_entry, @config_runtime_id, @config_cpu, @config_memory_size, @config_timeout)`),
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
      `UPDATE versions SET status = @status, updated_at = @updated_at, revision = revision + 1
      WHERE id = @id AND status <> @status`,
    ),

    insertAlias: run<Omit<AliasRow, 'updated_at' | 'revision'>>(`INSERT INTO aliases
      (id, project_id, name, description, function_id, function_version, routing_config, created_at)
      VALUES (@id, @project_id, @name, @description, @function_id, @function_version, @routing_config, @created_at)`),
    updateAlias: run<
      Pick<AliasRow, 'id' | 'description' | 'function_id' | 'function_version' | 'routing_config'> & {
        updated_at: string
      }
    >(
      `UPDATE aliases SET description = @description, function_id = @function_id, function_version = @function_version,
      routing_config = @routing_config, updated_at = @updated_at, revision = revision + 1 WHERE id = @id`,
    ),
    deleteAlias: run<Pick<AliasRow, 'id'>>(`DELETE FROM aliases WHERE id = @id`),

    insertOperation: getOne<Pick<OperationRow, 'id'>, Omit<OperationRow, 'id'>>(
      'insertOperation',
      `INSERT INTO operations (function_id, kind, payload, created_at, project_id, actor)
      VALUES (@function_id, @kind, @payload, @created_at, @project_id, @actor) RETURNING id`,
    ),
    deleteOperation: run<Pick<OperationRow, 'id'>>(`DELETE FROM operations WHERE id = @id`),

    ...prepareEventStatements(db),
  }
}

/** The fields of a function a client (or a restore) may change. */
export type FunctionFieldsRow = Pick<
  FunctionRow,
  | 'id'
  | 'name'
  | 'description'
  | 'runtime_id'
  | 'entry'
  | 'cpu'
  | 'memory_size'
  | 'timeout'
  | 'version_retention'
  | 'updated_at'
> & { updated_at: string }

export type ReadStatements = ReturnType<typeof prepareReadStatements>
export type Statements = ReturnType<typeof prepareStatements>
