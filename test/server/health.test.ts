import t from 'tap'

import { openEngine } from '../../engine/engine.js'
import { buildApp } from '../../server/app.js'

t.test('readyz is 503 with the reason while stopping and when the store cannot take a write', async (t) => {
  const engine = await openEngine({ dataDir: t.testdir() })
  const readiness = { stopping: false }
  const app = await buildApp({ engine, readiness })
  t.teardown(() => app.close())

  t.equal((await app.inject('/readyz')).statusCode, 200)
  readiness.stopping = true
  const stopping = await app.inject('/readyz')
  t.equal(stopping.statusCode, 503)
  t.match(stopping.json(), { faultstring: /shutting down/, error: 'NOT_READY' })
  t.equal((await app.inject('/healthz')).statusCode, 200, 'alive while stopping')

  readiness.stopping = false
  engine.close()
  const closed = await app.inject('/readyz')
  t.equal(closed.statusCode, 503)
  t.match(closed.json(), { faultstring: /database is closed/ })
})

t.test('readyz names a store that refuses writes', async (t) => {
  const dataDir = t.testdir()
  ;(await openEngine({ dataDir })).close()
  const engine = await openEngine({ dataDir })
  // A second connection holding the write lock is what a stuck or read-only store looks like to a writer.
  const Database = (await import('better-sqlite3')).default
  const other = new Database(`${dataDir}/tagstone.db`, { timeout: 0 })
  other.exec('BEGIN EXCLUSIVE')
  engine.deps.db.pragma('busy_timeout = 0')
  const app = await buildApp({ engine })
  t.teardown(async () => {
    other.exec('ROLLBACK')
    other.close()
    await app.close()
    engine.close()
  })
  const busy = await app.inject('/readyz')
  t.equal(busy.statusCode, 503)
  t.match(busy.json(), { faultstring: /cannot take a write/ })
})

t.test('a read-only handle is not ready; one mid-write is', async (t) => {
  const { unwritableReason } = await import('../../engine/readiness.js')
  const dataDir = t.testdir()
  ;(await openEngine({ dataDir })).close()
  const Database = (await import('better-sqlite3')).default
  const db = new Database(`${dataDir}/tagstone.db`, { readonly: true })
  t.teardown(() => db.close())
  t.match(unwritableReason(db), /read-only/)
  const writer = new Database(':memory:')
  t.teardown(() => writer.close())
  t.equal(unwritableReason(writer), null)
  writer.exec('BEGIN IMMEDIATE')
  t.equal(unwritableReason(writer), null, 'a write of its own in progress: writable')
  writer.exec('ROLLBACK')
})
