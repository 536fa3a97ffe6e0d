import { join } from 'node:path'

import t from 'tap'

import { openDatabase } from '../../../engine/store/open-database.js'
import { prepareReadStatements, prepareStatements } from '../../../engine/store/statements.js'

t.test('a row that must be there and is not is an internal error naming the statement', async (t) => {
  const db = openDatabase(join(t.testdir(), 'tagstone.db'))
  t.teardown(() => db.close())
  const sql = prepareStatements(db)
  t.equal(sql.functionById({ id: 'nope' }), undefined, 'a lookup finds nothing')
  t.throws(() => sql.functionByIdOrThrow({ id: 'nope' }), /^functionById: no row for \{"id":"nope"\}$/)
  t.throws(() => sql.takeVersionNumber({ id: 'nope' }), /^takeVersionNumber: /)
  t.equal(sql.countLiveVersions({ function_id: 'nope' }), 0)
})

t.test('the reads alone prepare on a read-only connection', async (t) => {
  const path = join(t.testdir(), 'tagstone.db')
  openDatabase(path).close()
  const db = openDatabase(path, { readonly: true })
  t.teardown(() => db.close())
  const sql = prepareReadStatements(db)
  t.same(sql.pendingOperations(), [])
  t.equal(sql.archiveBytes(), 0, 'a sum of nothing is 0')
  t.notOk('buryVersion' in sql, 'no write among them')
})
