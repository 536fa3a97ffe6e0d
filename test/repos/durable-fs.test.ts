import t from 'tap'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureDirectory, writeFileDurably } from '../../repos/durable-fs.js'

t.test('ensureDirectory makes a whole missing chain and is a no-op on an existing one', async (t) => {
  const root = t.testdir()
  const deep = join(root, 'a', 'b', 'c')
  await ensureDirectory(deep)
  t.ok(statSync(deep).isDirectory())
  await ensureDirectory(deep)
  await ensureDirectory(root)
  t.ok(statSync(deep).isDirectory())
})

t.test('writeFileDurably creates folders and replaces a file whole', async (t) => {
  const path = join(t.testdir(), 'x', 'y', 'file')
  await writeFileDurably(path, 'one')
  await writeFileDurably(path, 'two')
  t.equal(readFileSync(path, 'utf8'), 'two')
})
