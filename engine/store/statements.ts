import type { Db } from './open-database.js'
import type { AliasRow, FunctionRow, OperationRow, PackageRow, VersionRow } from './rows.js'
import { statementMakers } from './statement-makers.js'

/** Every statement the engine runs, prepared once per database and named for what it does. */
export function prepareStatements(db: Db) {
  const { one, all, run } = statementMakers(db)
  return {
    functionById: one<FunctionRow>(`SELECT * FROM functions WHERE id = ?`),
    activeFunctionsOfProject: all<FunctionRow>(
      `SELECT * FROM functions WHERE state = 'active' AND project_id = ? ORDER BY created_at, id`,
    ),
    activeFunctions: all<FunctionRow>(`SELECT * FROM functions WHERE state = 'active' ORDER BY created_at, id`),
    allFunctions: all<FunctionRow>(`SELECT * FROM functions ORDER BY created_at, id`),
    insertFunction:
      run(`INSERT INTO functions (id, project_id, name, description, runtime_id, entry, cpu, memory_size, timeout, state, created_at)
      VALUES (@id, @project_id, @name, @description, @runtime_id, @entry, @cpu, @memory_size, @timeout, 'creating', @created_at)`),
    updateFunctionFields:
      run(`UPDATE functions SET name = @name, description = @description, entry = @entry, cpu = @cpu,
      memory_size = @memory_size, timeout = @timeout, updated_at = @updated_at WHERE id = @id`),
    setFunctionHead: run(`UPDATE functions SET head_commit = ?, state = 'active', updated_at = ? WHERE id = ?`),
    setFunctionState: run(`UPDATE functions SET state = ? WHERE id = ?`),
    takeVersionNumber: one<{ version_counter: number }>(
      `UPDATE functions SET version_counter = version_counter + 1 WHERE id = ? RETURNING version_counter`,
    ),
    deleteFunction: run(`DELETE FROM functions WHERE id = ?`),

    packageByCommit: one<PackageRow>(`SELECT * FROM packages WHERE function_id = ? AND commit_oid = ?`),
    packagesOfFunction: all<PackageRow>(`SELECT * FROM packages WHERE function_id = ? ORDER BY created_at`),
    insertPackage:
      run(`INSERT INTO packages (function_id, commit_oid, tree_oid, parent_commit, archive_blob, md5sum, sha256, size, created_at)
      VALUES (@function_id, @commit_oid, @tree_oid, @parent_commit, @archive_blob, @md5sum, @sha256, @size, @created_at)`),

    liveVersions: all<VersionRow>(
      `SELECT * FROM versions WHERE function_id = ? AND state = 'live' ORDER BY version_number`,
    ),
    allVersionsOfFunction: all<VersionRow>(`SELECT * FROM versions WHERE function_id = ? ORDER BY version_number`),
    liveVersion: one<VersionRow>(
      `SELECT * FROM versions WHERE function_id = ? AND version_number = ? AND state = 'live'`,
    ),
    newestLiveVersion: one<VersionRow>(
      `SELECT * FROM versions WHERE function_id = ? AND state = 'live' ORDER BY version_number DESC LIMIT 1`,
    ),
    countLiveVersions: one<{ n: number }>(
      `SELECT count(*) AS n FROM versions WHERE function_id = ? AND state IN ('live', 'pending')`,
    ),
    insertPendingVersion:
      run(`INSERT INTO versions (id, function_id, version_number, project_id, description, commit_oid, tree_oid, status, state, created_at)
      VALUES (@id, @function_id, @version_number, @project_id, @description, @commit_oid, @tree_oid, 'available', 'pending', @created_at)`),
    confirmVersion: run(`UPDATE versions SET state = 'live', tag_oid = ? WHERE id = ?`),
    setVersionState: run(`UPDATE versions SET state = ? WHERE id = ?`),
    buryVersion: run(`UPDATE versions SET state = 'deleted', deleted_at = ? WHERE id = ?`),
    setVersionStatus: run(`UPDATE versions SET status = ?, updated_at = ? WHERE id = ? AND status <> ?`),

    aliasByName: one<AliasRow>(`SELECT * FROM aliases WHERE project_id = ? AND name = ?`),
    aliasesOfProject: all<AliasRow>(`SELECT * FROM aliases WHERE project_id = ? ORDER BY created_at, name`),
    aliasesOfFunction: all<AliasRow>(`SELECT * FROM aliases WHERE function_id = ?`),
    aliasesOfVersion: all<AliasRow>(`SELECT * FROM aliases WHERE function_id = ? AND function_version = ?`),
    insertAlias: run(`INSERT INTO aliases (id, project_id, name, description, function_id, function_version, created_at)
      VALUES (@id, @project_id, @name, @description, @function_id, @function_version, @created_at)`),
    updateAlias: run(`UPDATE aliases SET description = @description, function_id = @function_id,
      function_version = @function_version, updated_at = @updated_at WHERE id = @id`),
    deleteAlias: run(`DELETE FROM aliases WHERE id = ?`),

    insertOperation: one<{ id: number }>(
      `INSERT INTO operations (function_id, kind, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
    ),
    deleteOperation: run(`DELETE FROM operations WHERE id = ?`),
    pendingOperations: all<OperationRow>(`SELECT * FROM operations ORDER BY id`),
  }
}

export type Statements = ReturnType<typeof prepareStatements>
