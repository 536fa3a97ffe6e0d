import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

import t from 'tap'

import { COMMON_OPTIONS, parseCommandArgs } from '../../cli/args.js'
import { readServeConfig, SERVE_OPTIONS } from '../../server/config.js'
import { TAGSTONE } from '../helpers/tagstone-process.js'

const CASES: Array<[what: string, args: string[], env: NodeJS.ProcessEnv, expected: string]> = [
  ['default', [], {}, './data'],
  ['TAGSTONE_DATA', [], { TAGSTONE_DATA: 'from-env' }, 'from-env'],
  ['--data', ['--data', 'from-flag'], {}, 'from-flag'],
  ['--data over TAGSTONE_DATA', ['--data', 'from-flag'], { TAGSTONE_DATA: 'from-env' }, 'from-flag'],
  ['--data=DIR', ['--data=from-flag'], { TAGSTONE_DATA: 'from-env' }, 'from-flag'],
]

t.test('serve and the admin commands resolve --data, TAGSTONE_DATA and ./data the same way', async (t) => {
  for (const [what, args, env, expected] of CASES) {
    t.equal(readServeConfig(args, env).dataDir, expected, `serve: ${what}`)
    t.equal(parseCommandArgs(args, SERVE_OPTIONS, env).dataDir, expected, `serve through the argument helper: ${what}`)
    t.equal(parseCommandArgs(args, COMMON_OPTIONS, env).dataDir, expected, `admin: ${what}`)
  }
})

/** Runs the built CLI in `cwd` with exactly `env` (plus PATH), so that `./data` means `cwd/data`. */
const tagstoneIn = (cwd: string, args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, [TAGSTONE, ...args], { cwd, env: { PATH: process.env.PATH, ...env } })

t.test('the real admin commands use that data directory, relative to where they run', async (t) => {
  for (const [what, args, env, expected] of CASES) {
    const cwd = t.testdir()
    const made = await tagstoneIn(cwd, ['admin', 'token', 'create', '--project', 'p', '--init', ...args], env)
    t.match(made.stdout, /^tgs_/, what)
    t.ok(existsSync(join(cwd, expected, 'tagstone.db')), `${what}: the store is in ${expected}`)
    const listed = await tagstoneIn(cwd, ['admin', 'token', 'list', '--json', ...args], env)
    t.match(JSON.parse(listed.stdout), { tokens: [{ project: 'p' }] }, `${what}: list finds it there`)
  }
})
