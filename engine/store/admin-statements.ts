import type { Db } from './open-database.js'
import type { AliasRow, FunctionRow, OperationRow, PackageRow, VersionRow } from './rows.js'
import { statementMakers } from './statement-makers.js'

/**
 * The statements of the admin tools (fsck, inspect, stats). The reads work on a
 * read-only connection beside a running server; the writes are fsck's repairs.
 */
export function prepareAdminStatements(db: Db) {
  const { one, all } = statementMakers(db)
  const count = (sql: string) => {
    const s = db.prepare(sql)
    return (...args: unknown[]) => (s.get(...args) as { n: number | null }).n ?? 0
  }
  return {
    functionIds: all<{ id: string }>(`SELECT id FROM functions ORDER BY created_at, id`),
    functionById: one<FunctionRow>(`SELECT * FROM functions WHERE id = ?`),
    versionsOfFunction: all<VersionRow>(`SELECT * FROM versions WHERE function_id = ? ORDER BY version_number`),
    packagesOfFunction: all<PackageRow>(`SELECT * FROM packages WHERE function_id = ? ORDER BY created_at, commit_oid`),
    aliasesOfFunction: all<AliasRow>(`SELECT * FROM aliases WHERE function_id = ? ORDER BY project_id, name`),
    operationsOfFunction: all<OperationRow>(`SELECT * FROM operations WHERE function_id = ? ORDER BY id`),
    operations: all<OperationRow>(`SELECT * FROM operations ORDER BY id`),

    countFunctions: count(`SELECT count(*) AS n FROM functions`),
    countVersionsInState: count(`SELECT count(*) AS n FROM versions WHERE state = ?`),
    countAliases: count(`SELECT count(*) AS n FROM aliases`),
    countPackages: count(`SELECT count(*) AS n FROM packages`),
    archiveBytes: count(`SELECT sum(size) AS n FROM packages`),

    raiseVersionCounter: db.prepare(`UPDATE functions SET version_counter = max(version_counter, ?) WHERE id = ?`),
    buryVersion: db.prepare(`UPDATE versions SET state = 'deleted', deleted_at = coalesce(deleted_at, ?) WHERE id = ?`),
  }
}

export type AdminStatements = ReturnType<typeof prepareAdminStatements>
