import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { lockDataDir, prepareDataDir } from '../../engine/data-dir.js'
import { openEngine } from '../../engine/engine.js'

t.test('prepareDataDir makes missing folders only when asked, and leaves no probe behind', async (t) => {
  const root = t.testdir()
  const nested = join(root, 'a', 'b', 'c')
  t.throws(() => prepareDataDir(nested), { code: 'NO_DATA_DIRECTORY' }, 'not made without create')
  t.notOk(existsSync(join(root, 'a')))
  prepareDataDir(nested, { create: true })
  t.ok(statSync(nested).isDirectory(), 'made, parents too')
  prepareDataDir(nested, { create: true })
  t.same(readdirSync(nested), [], 'the write probe is removed again')
})

t.test('one holder at a time, in one process as across processes; release frees it', async (t) => {
  const dir = t.testdir()
  const first = lockDataDir(dir, 'the first')
  t.throws(() => lockDataDir(dir, 'the second'), {
    code: 'DATA_DIR_LOCKED',
    message: new RegExp(`in use by the first \\(pid ${process.pid}\\)`),
  })
  first.release()
  first.release()
  const again = lockDataDir(dir, 'the second')
  again.release()
})

t.test('an open engine holds its data directory until it is closed', async (t) => {
  const dir = t.testdir()
  const engine = await openEngine({ dataDir: dir, holder: 'the test engine' })
  await t.rejects(openEngine({ dataDir: dir }), { code: 'DATA_DIR_LOCKED', message: /the test engine/ })
  engine.close()
  const next = await openEngine({ dataDir: dir })
  t.ok(next, 'opens once the first is closed')
  next.close()
})
