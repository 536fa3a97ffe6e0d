import type { Db } from './open-database.js'

/** Prepares a statement once and returns a typed function that runs it: one row, all rows, or a write. */
export function statementMakers(db: Db) {
  return {
    one<T>(sql: string) {
      const s = db.prepare(sql)
      return (...args: unknown[]) => s.get(...args) as T | undefined
    },
    all<T>(sql: string) {
      const s = db.prepare(sql)
      return (...args: unknown[]) => s.all(...args) as T[]
    },
    run(sql: string) {
      const s = db.prepare(sql)
      return (...args: unknown[]) => s.run(...args)
    },
  }
}
