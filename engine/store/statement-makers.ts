import type { Statement } from 'better-sqlite3'

import type { Db } from './open-database.js'

/** A statement's arguments: its named parameters as one object (the keys are the SQL's `@names`), or none. */
type Args<P> = [P] extends [void] ? [] : [params: P]

/** A reading statement that returns its rows as arrays of values, and the one function that makes each an object. */
interface RowReader {
  statement: Statement
  toRow: (values: unknown[]) => unknown
}

/**
 * Rows come from SQLite as arrays and become objects in one object literal per statement, built
 * from the statement's own column names. better-sqlite3 would set the columns one by one on an
 * empty object: a third slower per row, which a page of 1,000 functions and every read pay
 * (bench/README.md, "Where the time of a read goes"). A later column of the same name wins, as it
 * does in better-sqlite3's objects.
 */
function rowReader(db: Db, sql: string): RowReader {
  const statement = db.prepare(sql).raw(true)
  const fields = statement.columns().map((c, i) => `${JSON.stringify(c.name)}: values[${i}]`)
  const toRow = new Function('values', `return { ${fields.join(', ')} }`) as RowReader['toRow']
  return { statement, toRow }
}

/**
 * Prepares a statement once and returns a typed function that runs it. `P` is
 * the object of its named parameters (`void` when it has none).
 */
export function statementMakers(db: Db) {
  return {
    /** A lookup: the row, or undefined when there is none. */
    one<Row, P = void>(sql: string) {
      const { statement, toRow } = rowReader(db, sql)
      return (...args: Args<P>) => {
        const values = statement.get(...args) as unknown[] | undefined
        return values === undefined ? undefined : (toRow(values) as Row)
      }
    },
    /** A row that must be there; its absence is a bug, reported as an internal error naming the statement. */
    getOne<Row, P = void>(name: string, sql: string) {
      const { statement, toRow } = rowReader(db, sql)
      return (...args: Args<P>): Row => {
        const values = statement.get(...args) as unknown[] | undefined
        if (values === undefined) throw new Error(`${name}: no row for ${JSON.stringify(args[0] ?? {})}`)
        return toRow(values) as Row
      }
    },
    all<Row, P = void>(sql: string) {
      const { statement, toRow } = rowReader(db, sql)
      return (...args: Args<P>) => (statement.all(...args) as unknown[][]).map(toRow) as Row[]
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
