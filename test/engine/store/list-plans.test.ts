import { join } from 'node:path'

import t from 'tap'

import { type Db, openDatabase } from '../../../engine/store/open-database.js'
import { FUNCTION_VIEW, prepareStatements } from '../../../engine/store/statements.js'

/**
 * Every statement that reads a page (it has a LIMIT) reads its rows in an index's order and stops
 * at the limit: SQLite's plan has no temporary B-tree, which would mean reading every row of the
 * list and sorting it first (a page of 1,000 of 10,000 functions took 90 ms that way, 12 ms in order).
 */
t.test('paged statements need no sort', async (t) => {
  const db = openDatabase(join(t.testdir(), 'tagstone.db'))
  t.teardown(() => db.close())
  const prepared: string[] = []
  // Hears the SQL the statements are made from; the real database prepares each.
  const prepare = db.prepare.bind(db)
  const listening = Object.create(db, {
    prepare: { value: (sql: string) => (prepared.push(sql), prepare(sql)) },
  }) as Db
  prepareStatements(listening)
  const paged = prepared.filter((sql) => /\bLIMIT\b/.test(sql))
  t.ok(paged.length >= 6, `the paged statements are found (${paged.length})`)
  for (const sql of paged) {
    const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1], null]))
    const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail)
    t.notMatch(plan.join('\n'), /TEMP B-TREE/, `${sql.replace(/\s+/g, ' ').slice(0, 90)}...: ${plan.join('; ')}`)
  }
})

/**
 * A function is shown with its newest live version (FUNCTION_VIEW): on a page of 1,000 functions it
 * is looked up 1,000 times, so it must be one step into an index, not a walk over every version.
 */
t.test("a function's newest live version is read from an index alone", async (t) => {
  const db = openDatabase(join(t.testdir(), 'tagstone.db'))
  t.teardown(() => db.close())
  const plan = (
    db.prepare(`EXPLAIN QUERY PLAN ${FUNCTION_VIEW} WHERE f.id = 'x'`).all() as Array<{ detail: string }>
  ).map((r) => r.detail)
  t.match(plan.join('\n'), /SEARCH versions USING COVERING INDEX live_versions/, plan.join('; '))
})
