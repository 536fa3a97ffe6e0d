import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import t from 'tap'

import { openEngine } from '../../engine/engine.js'
import { ADMIN } from '../engine/admin/fixture.js'
import type { Tap } from '../helpers/api.js'
import { runGit } from '../helpers/git.js'
import { runTagstone, TAGSTONE } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

/**
 * `tagstone admin gc` killed with SIGKILL at random moments, again and again, on one repository:
 * after every kill git finds the repository whole (every tag, commit, tree and blob), and a last
 * gc run to its end leaves one pack, no loose object and nothing of the killed runs behind.
 */

const VERSIONS = 30
const ROUNDS = 8

/** 20 files of a few KiB, most of them the same from one version to the next (so there are deltas to find). */
function packageOf(n: number): Buffer {
  return makeZip(
    Array.from({ length: 20 }, (_, f) => ({
      name: `src/file${f}.py`,
      content: Array.from(
        { length: 120 },
        (_, line) => `line ${line} of file ${f}${f === n % 20 ? ` v${n}` : ''}\n`,
      ).join(''),
    })),
  )
}

async function gitOk(t: Tap, gitdir: string, args: string[], what: string): Promise<string> {
  const run = await runGit(args, { cwd: gitdir })
  t.equal(run.code, 0, `${what}: ${run.stderr}`)
  return run.stdout
}

t.test('admin gc survives kill -9 at any moment', async (t) => {
  const dataDir = t.testdir()
  const engine = await openEngine({ dataDir })
  let functionId: string
  try {
    const fn = await engine.createFunction(ADMIN, { fields: {}, code: '{"source": "package"}', package: packageOf(0) })
    functionId = fn.id
    for (let n = 1; n <= VERSIONS; n++) {
      if (n > 1) await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: packageOf(n) })
      await engine.createVersion(ADMIN, fn.id, { description: `v${n}` })
    }
  } finally {
    engine.close()
  }
  const gitdir = join(dataDir, 'repos', `${functionId}.git`)
  const { NODE_OPTIONS: _hooks, ...env } = process.env

  let killedMidway = 0
  for (let round = 1; round <= ROUNDS; round++) {
    const child = spawn(process.execPath, [TAGSTONE, 'admin', 'gc', '--data', dataDir], { env, stdio: 'ignore' })
    const exited = once(child, 'exit')
    // Past the process start most rounds, so that kills land in the packing itself.
    await Promise.race([sleep(100 + Math.random() * 600), exited])
    if (child.exitCode === null) {
      child.kill('SIGKILL')
      killedMidway++
    }
    await exited
    await gitOk(t, gitdir, ['fsck', '--strict', '--no-dangling'], `round ${round}: git fsck`)
    const tags = (await gitOk(t, gitdir, ['tag', '-l'], `round ${round}: tags`)).trim().split('\n')
    t.equal(tags.length, VERSIONS, `round ${round}: every tag`)
    // Every version's files can be read back whole.
    await gitOk(
      t,
      gitdir,
      ['archive', '--format=tar', '-o', '/dev/null', `v${1 + (round % VERSIONS)}`],
      `round ${round}`,
    )
  }
  t.comment(`${killedMidway} of ${ROUNDS} runs killed before they ended`)

  const last = await runTagstone(['admin', 'gc', '--data', dataDir, '--json'], { timeoutMs: 120_000 })
  t.equal(last.code, 0, last.stderr)
  // `nothing-to-do` when the last killed run had already put everything in one pack.
  t.match(JSON.parse(last.stdout), { functions: [{ function_id: functionId, status: /^(packed|nothing-to-do)$/ }] })
  const counts = await gitOk(t, gitdir, ['count-objects', '-v'], 'count-objects')
  t.match(counts, /^count: 0$/m, 'no loose object')
  t.match(counts, /^packs: 1$/m, 'one pack')
  t.match(counts, /^garbage: 0$/m, 'nothing a killed run left behind')
  t.same(
    readdirSync(join(gitdir, 'objects', 'pack')).filter((f) => !/^pack-[0-9a-f]{40}\.(pack|idx)$/.test(f)),
    [],
    'only the pack and its index in objects/pack',
  )
  const fsck = await runTagstone(['admin', 'fsck', '--data', dataDir])
  t.equal(fsck.code, 0, fsck.stdout + fsck.stderr)
})
