import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { openEngine } from '../../../engine/engine.js'
import { newId } from '../../../engine/ids.js'
import { runOperation } from '../../../engine/operations/run-operation.js'
import { ADMIN, packageZip, querySql } from '../admin/fixture.js'

t.test('a git step that fails is settled at once and its error reaches the caller', async (t) => {
  const dataDir = t.testdir()
  const engine = await openEngine({ dataDir })
  t.teardown(() => engine.close())
  const id = newId()
  const gitdir = join(dataDir, 'repos', `${id}.git`)
  // A file where the new repository must go: creating the repository fails after the reserve.
  writeFileSync(gitdir, 'in the way')
  const input = { fields: { name: 'blocked' }, code: '{"source": "package"}', package: packageZip(1) }
  await t.rejects(runOperation(engine.deps, 'create-function', { ctx: ADMIN, functionId: id, input }), {
    code: 'ENOTDIR',
  })
  t.same(querySql(dataDir, `SELECT count(*) AS n FROM operations`), [{ n: 0 }], 'settled, nothing left for recovery')
  t.same(querySql(dataDir, `SELECT id FROM functions WHERE id = ?`, id), [], 'the create is undone')
  t.notOk(existsSync(gitdir))
  t.same(engine.listFunctions(ADMIN).items, [])
})

t.test('a refused reserve writes nothing: no journal row, no number', async (t) => {
  const dataDir = t.testdir()
  const engine = await openEngine({ dataDir })
  t.teardown(() => engine.close())
  const fn = await engine.createFunction(ADMIN, { fields: {}, code: '{"source": "package"}', package: packageZip(1) })
  await engine.createVersion(ADMIN, fn.id, {})
  await t.rejects(runOperation(engine.deps, 'create-version', { ctx: ADMIN, functionId: fn.id, input: {} }), {
    code: 'VERSION_UNCHANGED',
  })
  t.same(querySql(dataDir, `SELECT count(*) AS n FROM operations`), [{ n: 0 }])
  t.same(querySql(dataDir, `SELECT version_counter FROM functions`), [{ version_counter: 1 }])
})
