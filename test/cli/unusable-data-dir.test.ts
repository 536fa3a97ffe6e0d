import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import type { Tap } from '../helpers/api.js'
import { runTagstone } from '../helpers/tagstone-process.js'

/**
 * A data directory that cannot be used is one line on stderr and exit 2, at once, for `serve` and
 * for every admin command: never a hang (Node's recursive mkdir loops for ever under /proc), never
 * a stack trace, never a store made somewhere else.
 */

/** Generous: the point is that it returns, and a loaded machine starts node slowly. */
const DEADLINE_MS = 10_000

const ADMIN_COMMANDS: string[][] = [
  ['admin', 'fsck'],
  ['admin', 'fsck', '--repair'],
  ['admin', 'stats'],
  ['admin', 'inspect', '00000000-0000-4000-8000-000000000000'],
  ['admin', 'prune', '--keep-last', '1'],
  ['admin', 'gc'],
  ['admin', 'events'],
  ['admin', 'token', 'list'],
  ['admin', 'token', 'create', '--project', 'p'],
  ['admin', 'token', 'revoke', '00000000-0000-4000-8000-000000000000'],
]

/** A reader, a writer that takes the lock, and the one command that may make a store. */
const SOME_ADMIN_COMMANDS = ADMIN_COMMANDS.filter(
  (args) => args.includes('stats') || args.includes('--repair') || args.includes('create'),
)

async function expectRefused(t: Tap, args: string[], message: RegExp): Promise<void> {
  const started = Date.now()
  const run = await runTagstone(args, { timeoutMs: DEADLINE_MS })
  const took = Date.now() - started
  const what = args.join(' ')
  t.equal(run.code, 2, `${what}: exit 2 (${took} ms)`)
  t.match(run.stderr, message, `${what}: says why`)
  t.equal(run.stderr.trim().split('\n')[0]!.startsWith('tagstone'), true, `${what}: names the command`)
  t.notMatch(run.stderr, /\n\s+at /, `${what}: no stack trace`)
  t.equal(run.stdout, '', `${what}: nothing on stdout`)
}

t.test('serve under /proc exits 2 at once, with the reason', async (t) => {
  await expectRefused(t, ['serve', '--data', '/proc/tagstone-data'], /\/proc\/tagstone-data cannot be used/)
  await expectRefused(t, ['serve', '--data', '/proc/a/b/c'], /cannot be used: \/proc\/a cannot be created/)
  await expectRefused(t, ['serve', '--data', '/proc'], /\/proc cannot be used: nothing can be written in it/)
})

t.test('a file in the way of the data directory, or of a folder above it', async (t) => {
  const dir = t.testdir()
  const file = join(dir, 'a-file')
  writeFileSync(file, 'not a folder')
  await expectRefused(t, ['serve', '--data', file], /a-file cannot be used: it is a file, not a folder/)
  await expectRefused(t, ['serve', '--data', join(file, 'data')], /a-file is a file, not a folder/)
  // Every admin command goes through the same check (the /proc case below runs them all); a few here.
  await Promise.all(
    SOME_ADMIN_COMMANDS.map((args) => expectRefused(t, [...args, '--data', file], /it is a file, not a folder/)),
  )
})

t.test('every admin command refuses a data directory it cannot use, and one with no store', async (t) => {
  await Promise.all(
    ADMIN_COMMANDS.map((args) =>
      expectRefused(t, [...args, '--data', '/proc'], /\/proc cannot be used: nothing can be written in it/),
    ),
  )
  const empty = join(t.testdir(), 'empty')
  mkdirSync(empty)
  await Promise.all(
    SOME_ADMIN_COMMANDS.filter((args) => !args.includes('create')).map((args) =>
      expectRefused(t, [...args, '--data', empty], /No tagstone data in/),
    ),
  )
})
