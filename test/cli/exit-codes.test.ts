import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

import t from 'tap'

import { buildFixture, tamperSql } from '../engine/admin/fixture.js'
import { runTagstone } from '../helpers/tagstone-process.js'

const NO_FUNCTION = '00000000-0000-4000-8000-000000000000'
/** A usage error: the command's name, the message, then its usage. */
const USAGE = /^tagstone[a-z ]*: .+\nusage:/

t.test('one exit-code rule: 0 ok, 1 problems found, 2 cannot run', async (t) => {
  const dir = t.testdir({ none: {}, garbage: {} })
  const fixture = await buildFixture(join(dir, 'good'))
  const good = fixture.dataDir
  const faulty = (await buildFixture(join(dir, 'faulty'))).dataDir
  tamperSql(faulty, `UPDATE functions SET version_counter = 0`)
  const none = join(dir, 'none')
  const garbage = join(dir, 'garbage')
  writeFileSync(join(garbage, 'tagstone.db'), Buffer.alloc(8192, 'not a database '))
  const busy = createServer().listen(0, '127.0.0.1')
  t.teardown(() => busy.close())
  await once(busy, 'listening')
  const busyPort = String((busy.address() as { port: number }).port)

  const cases: Array<[code: number, args: string[], says?: RegExp]> = [
    [0, ['help']],
    [0, ['admin', 'fsck', '--data', good]],
    [0, ['admin', 'stats', '--data', good]],
    [0, ['admin', 'inspect', fixture.functionId, '--data', good]],
    [0, ['admin', 'token', 'list', '--data', good]],

    [1, ['admin', 'fsck', '--data', faulty], /problem\(s\) found/],
    [1, ['admin', 'inspect', NO_FUNCTION, '--data', good], /^tagstone admin inspect: .*not found/],
    [1, ['admin', 'token', 'revoke', 'no-such-id', '--data', good], /^tagstone admin token revoke: no token/],

    [2, [], USAGE],
    [2, ['frobnicate'], USAGE],
    [2, ['admin'], USAGE],
    [2, ['admin', 'frobnicate'], USAGE],
    [2, ['admin', 'token'], USAGE],
    [2, ['admin', 'token', 'frobnicate'], USAGE],
    [2, ['admin', 'fsck', '--bogus'], USAGE],
    [2, ['admin', 'fsck', 'extra'], USAGE],
    [2, ['admin', 'stats', 'extra'], USAGE],
    [2, ['admin', 'inspect'], USAGE],
    [2, ['admin', 'inspect', NO_FUNCTION, 'extra'], USAGE],
    [2, ['admin', 'token', 'create'], USAGE],
    [2, ['admin', 'token', 'create', '--project', 'p', '--role', 'root', '--data', good], USAGE],
    [2, ['admin', 'token', 'list', '--data'], USAGE],
    [2, ['admin', 'inspect', 'nope', '--data', good], /^tagstone admin inspect: /],
    [
      2,
      ['admin', 'token', 'create', '--project', 'a b', '--data', good],
      /^tagstone admin token create: Invalid project/,
    ],
    [2, ['admin', 'fsck', '--data', none], /^tagstone admin fsck: No tagstone data/],
    [2, ['admin', 'stats', '--data', none], /^tagstone admin stats: No tagstone data/],
    [2, ['admin', 'inspect', NO_FUNCTION, '--data', none], /No tagstone data/],
    [2, ['admin', 'token', 'list', '--data', none], /No tagstone data/],
    [2, ['admin', 'token', 'revoke', 'no-such-id', '--data', none], /No tagstone data/],
    [2, ['admin', 'fsck', '--data', garbage], /^tagstone admin fsck: /],
    [2, ['admin', 'stats', '--data', garbage], /^tagstone admin stats: /],
    [2, ['admin', 'token', 'list', '--data', garbage], /^tagstone admin token list: /],
    [2, ['serve', '--bogus'], USAGE],
    [2, ['serve', 'extra'], USAGE],
    [2, ['serve', '--port', 'abc'], USAGE],
    [2, ['serve', '--max-versions', '0'], USAGE],
    [2, ['serve', '--no-auth', '--host', '0.0.0.0', '--data', none], /^tagstone serve: --no-auth .*loopback/],
    [2, ['serve', '--port', busyPort, '--data', join(dir, 'busy')], /tagstone serve: .*EADDRINUSE/m],
  ]
  for (const [code, args, says] of cases) {
    const run = await runTagstone(args)
    t.equal(run.code, code, `tagstone ${args.join(' ')}: exit ${code}`)
    // stderr first: a failure says why there; fsck's findings are its output.
    if (says) t.match(run.stderr + run.stdout, says, `tagstone ${args.join(' ')}: says why`)
  }
})
