import type { Db } from './open-database.js'

/** A statement's arguments: its named parameters as one object (the keys are the SQL's `@names`), or none. */
type Args<P> = [P] extends [void] ? [] : [params: P]

/**
 * Prepares a statement once and returns a typed function that runs it. `P` is
 * the object of its named parameters (`void` when it has none).
 */
export function statementMakers(db: Db) {
  return {
    /** A lookup: the row, or undefined when there is none. */
    one<Row, P = void>(sql: string) {
      const s = db.prepare(sql)
      return (...args: Args<P>) => s.get(...args) as Row | undefined
    },
    /** A row that must be there; its absence is a bug, reported as an internal error naming the statement. */
    getOne<Row, P = void>(name: string, sql: string) {
      const s = db.prepare(sql)
      return (...args: Args<P>): Row => {
        const row = s.get(...args) as Row | undefined
        if (row === undefined) throw new Error(`${name}: no row for ${JSON.stringify(args[0] ?? {})}`)
        return row
      }
    },
    all<Row, P = void>(sql: string) {
      const s = db.prepare(sql)
      return (...args: Args<P>) => s.all(...args) as Row[]
    },
    /** A `SELECT ... AS n` that counts or sums: its number, 0 for a sum of nothing. */
    count<P = void>(sql: string) {
      const s = db.prepare(sql)
      return (...args: Args<P>) => (s.get(...args) as { n: number | null }).n ?? 0
    },
    run<P = void>(sql: string) {
      const s = db.prepare(sql)
      return (...args: Args<P>) => s.run(...args)
    },
  }
}
