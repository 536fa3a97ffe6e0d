import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import t from 'tap'

import { MIGRATIONS } from '../../../engine/store/migrations.js'
import { openDatabase } from '../../../engine/store/open-database.js'
import { TokenStore } from '../../../engine/tokens.js'

/** A database left at `version` by an older tagstone: the migrations up to it, as they ran then. */
function databaseAt(path: string, version: number): Database.Database {
  const db = new Database(path)
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
  return db
}

t.test('the migrations are numbered one after another from 1', async (t) => {
  t.same(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  )
})

t.test('tokens made before expiries existed never expire and still authenticate', async (t) => {
  const path = join(t.testdir(), 'tagstone.db')
  const old = databaseAt(path, 4)
  const secret = `tgs_${randomBytes(32).toString('base64url')}`
  const hash = createHash('sha256').update(secret).digest('hex')
  old
    .prepare(
      `INSERT INTO tokens (id, project_id, role, lookup, hash, label, created_at)
       VALUES ('old-id', 'p1', 'admin', @lookup, @hash, NULL, '2026-01-01 00:00:00')`,
    )
    .run({ lookup: hash.slice(0, 16), hash })
  old.close()

  const db = openDatabase(path)
  t.teardown(() => db.close())
  t.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)!.version, 'migrated to the last version')
  const tokens = new TokenStore(db, () => new Date('2200-01-01T00:00:00Z'))
  t.same(
    tokens.listTokens().map((x) => [x.id, x.expires_at]),
    [['old-id', null]],
  )
  t.same(tokens.authenticateToken(secret), { projectId: 'p1', role: 'admin', actor: 'old-id' }, 'even in 2200')
})
