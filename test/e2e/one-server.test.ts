import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { buildFixture } from '../engine/admin/fixture.js'
import { gitdirOf } from '../helpers/data-dir.js'
import { runTagstone, startServe } from '../helpers/tagstone-process.js'

/**
 * One server per data directory: `serve` holds an OS lock on it that dies with the process, so a
 * second `serve` and the admin commands that repair exit 2 naming the holder, read-only admin
 * commands go on working beside it, and after a kill -9 the next `serve` starts at once.
 */

const exitOf = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  )

t.test('a second serve, fsck --repair and prune refuse a data directory a server holds', async (t) => {
  const { dataDir: data, functionId } = await buildFixture(t.testdir())
  const first = await startServe(['--data', data, '--no-auth'])
  t.teardown(first.stop)
  const pid = first.child.pid!

  const second = await runTagstone(['serve', '--data', data, '--port', '0', '--no-auth'])
  t.equal(second.code, 2, 'a second serve exits 2')
  t.match(second.stderr, new RegExp(`in use by tagstone serve \\(pid ${pid}\\)`), 'naming the holder and its pid')
  t.equal(second.stderr.trim().split('\n').length, 1, 'in one line')

  for (const args of [
    ['admin', 'fsck', '--repair'],
    ['admin', 'prune', '--keep-last', '1'],
  ]) {
    const refused = await runTagstone([...args, '--data', data])
    t.equal(refused.code, 2, `${args.join(' ')} exits 2 while the server runs`)
    t.match(refused.stderr, `in use by tagstone serve (pid ${pid})`, `${args.join(' ')} names the server`)
  }
  for (const args of [
    ['admin', 'fsck'],
    ['admin', 'stats', '--json'],
    ['admin', 'prune', '--keep-last', '1', '--dry-run'],
    ['admin', 'token', 'list'],
  ]) {
    t.equal((await runTagstone([...args, '--data', data])).code, 0, `${args.join(' ')} works beside it`)
  }
  const gc = await runTagstone(['admin', 'gc', '--json', '--data', data])
  t.equal(gc.code, 0, 'admin gc works beside it')
  t.ok(
    (JSON.parse(gc.stdout) as { functions: Array<{ refsPacked: unknown }> }).functions.every(
      (f) => f.refsPacked === null,
    ),
    'but leaves the refs loose: the server may be writing them',
  )
  t.ok(readdirSync(join(gitdirOf(data, functionId), 'refs', 'tags')).length > 0, 'the tags are still loose files')
  t.match(first.output(), /Server listening/, 'the first server is undisturbed')
  t.equal((await fetch(`${first.url}/healthz`)).status, 200, 'and still answers')
})

t.test('after a kill -9 the lock is gone with the process: a new serve starts at once', async (t) => {
  const data = t.testdir()
  for (let round = 0; round < 3; round++) {
    const server = await startServe(['--data', data, '--no-auth'])
    t.match(readFileSync(join(data, 'tagstone.lock.holder'), 'utf8'), `pid ${server.child.pid}`, `round ${round}: held`)
    server.child.kill('SIGKILL')
    await exitOf(server.child)
  }
  const repaired = await runTagstone(['admin', 'fsck', '--repair', '--data', data])
  t.equal(repaired.code, 0, 'with no server, fsck --repair takes the lock and runs')
  const last = await startServe(['--data', data, '--no-auth'])
  t.equal((await fetch(`${last.url}/readyz`)).status, 200, 'and a server after it too')
  await last.stop()
})
