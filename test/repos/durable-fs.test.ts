import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

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

t.test('a write can keep its temporary file elsewhere, and leaves nothing there', async (t) => {
  const root = t.testdir({ refs: { heads: {} } })
  await writeFileDurably(join(root, 'refs', 'heads', 'main'), 'abc\n', { dir: root, prefix: 'tmp_ref_' })
  t.equal(readFileSync(join(root, 'refs', 'heads', 'main'), 'utf8'), 'abc\n')
  t.same(readdirSync(root).sort(), ['refs'])
  t.same(readdirSync(join(root, 'refs', 'heads')), ['main'])
})

t.test('a large file (written from the thread pool) arrives whole', async (t) => {
  const path = join(t.testdir(), 'big')
  const data = Buffer.alloc(3 * 1024 * 1024 + 7, 'x')
  data.write('end', data.length - 3)
  await writeFileDurably(path, data)
  t.ok(readFileSync(path).equals(data))
})
