import type Database from 'better-sqlite3'

/**
 * Why the store cannot take a write now, or null when it can. It takes the
 * write lock for a moment: a read-only file, a full or vanished disk or a
 * closed handle all show up there, where a plain read would still succeed.
 */
export function unwritableReason(db: Database.Database): string | null {
  if (!db.open) return 'the database is closed'
  if (db.readonly) return 'the database is open read-only'
  // A write of our own is in progress on this connection: it is writable by definition.
  if (db.inTransaction) return null
  try {
    db.exec('BEGIN IMMEDIATE')
    db.exec('ROLLBACK')
    return null
  } catch (err) {
    return `the database cannot take a write: ${(err as Error).message}`
  }
}
