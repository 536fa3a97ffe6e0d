import { prepareEventStatements } from './event-statements.js'
import type { Db } from './open-database.js'
import { statementMakers } from './statement-makers.js'

/** A token as SQLite holds it: never the secret, only its sha256. */
export interface TokenRow {
  id: string
  project_id: string
  role: 'member' | 'admin'
  lookup: string
  hash: string
  label: string | null
  created_at: string
  revoked_at: string | null
  /** NULL: never expires. */
  expires_at: string | null
}

/** The token store's statements, prepared once per database. */
export function prepareTokenStatements(db: Db) {
  const { one, all, run } = statementMakers(db)
  return {
    insertToken: run<
      Omit<TokenRow, 'revoked_at'>
    >(`INSERT INTO tokens (id, project_id, role, lookup, hash, label, created_at, expires_at)
      VALUES (@id, @project_id, @role, @lookup, @hash, @label, @created_at, @expires_at)`),
    tokenById: one<TokenRow, Pick<TokenRow, 'id'>>(`SELECT * FROM tokens WHERE id = @id`),
    liveTokensByLookup: all<TokenRow, Pick<TokenRow, 'lookup'>>(
      `SELECT * FROM tokens WHERE lookup = @lookup AND revoked_at IS NULL`,
    ),
    allTokens: all<TokenRow>(`SELECT * FROM tokens ORDER BY rowid`),
    anyToken: one<{ one: 1 }>(`SELECT 1 AS one FROM tokens LIMIT 1`),
    /** Changes whenever another connection (another process: the admin CLI) commits to the file. */
    dataVersion: one<{ data_version: number }>(`PRAGMA data_version`),
    /** Revoking twice keeps the first time. */
    revokeToken: run<{ id: string; revoked_at: string }>(
      `UPDATE tokens SET revoked_at = @revoked_at WHERE id = @id AND revoked_at IS NULL`,
    ),
    ...prepareEventStatements(db),
  }
}

export type TokenStatements = ReturnType<typeof prepareTokenStatements>
