import type { Db } from './open-database.js'

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
}

/** The token store's statements, prepared once per database. */
export function prepareTokenStatements(db: Db) {
  const insert = db.prepare(`INSERT INTO tokens (id, project_id, role, lookup, hash, label, created_at)
    VALUES (@id, @project_id, @role, @lookup, @hash, @label, @created_at)`)
  const byId = db.prepare(`SELECT * FROM tokens WHERE id = ?`)
  const byLookup = db.prepare(`SELECT * FROM tokens WHERE lookup = ? AND revoked_at IS NULL`)
  const all = db.prepare(`SELECT * FROM tokens ORDER BY rowid`)
  const any = db.prepare(`SELECT 1 AS one FROM tokens LIMIT 1`)
  const revoke = db.prepare(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`)
  return {
    insertToken: (row: Omit<TokenRow, 'revoked_at'>) => insert.run(row),
    tokenById: (id: string) => byId.get(id) as TokenRow | undefined,
    liveTokensByLookup: (lookup: string) => byLookup.all(lookup) as TokenRow[],
    allTokens: () => all.all() as TokenRow[],
    anyToken: () => any.get() !== undefined,
    revokeToken: (at: string, id: string) => revoke.run(at, id),
  }
}

export type TokenStatements = ReturnType<typeof prepareTokenStatements>
