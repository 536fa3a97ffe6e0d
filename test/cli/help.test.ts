import { readFileSync } from 'node:fs'

import t from 'tap'

import { runTagstone } from '../helpers/tagstone-process.js'

const COMMANDS = [
  ['serve'],
  ['admin', 'token', 'create'],
  ['admin', 'token', 'list'],
  ['admin', 'token', 'revoke'],
  ['admin', 'fsck'],
  ['admin', 'inspect'],
  ['admin', 'stats'],
  ['admin', 'prune'],
  ['admin', 'events'],
  ['admin', 'gc'],
  ['diff'],
  ['restore'],
]

t.test('tagstone help, --help and -h list every command and the exit-code rule', async (t) => {
  for (const asked of ['help', '--help', '-h']) {
    const run = await runTagstone([asked])
    t.equal(run.code, 0, asked)
    t.equal(run.stderr, '')
    for (const command of COMMANDS) t.match(run.stdout, `\n  tagstone ${command.join(' ')} `, command.join(' '))
    t.match(run.stdout, /--data DIR defaults to TAGSTONE_DATA, then \.\/data/)
    t.match(
      run.stdout,
      /exit codes.*\n\s+0 +ok\n\s+1 +the command ran and found problems.*\n[^]*\s+2 +the command cannot run/,
    )
  }
})

t.test('every command and group takes --help (and -h): its usage on stdout, exit 0, nothing run', async (t) => {
  const groups = [['admin'], ['admin', 'token']]
  // -h is the one HELP_OPTION every command shares: asked of a command, a group and a subcommand.
  const short = ['serve', 'admin', 'admin token create']
  for (const command of [...COMMANDS, ...groups]) {
    for (const flag of short.includes(command.join(' ')) ? ['--help', '-h'] : ['--help']) {
      const run = await runTagstone([...command, flag])
      const name = `${command.join(' ')} ${flag}`
      t.equal(run.code, 0, name)
      t.match(run.stdout, new RegExp(`^usage:( |\\n  )tagstone ${command.join(' ')} `), name)
      t.equal(run.stderr, '', name)
    }
  }
  const alongside = await runTagstone(['admin', 'token', 'create', '--project', 'p', '--data', t.testdir(), '--help'])
  t.match(alongside, { code: 0, stdout: /^usage: tagstone admin token create/ }, 'help wins over the rest')
})

t.test('--version prints the package version; an unknown option is named, on any command', async (t) => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  for (const asked of ['--version', '-V'])
    t.match(await runTagstone([asked]), { code: 0, stdout: `tagstone ${version}\n` })
  for (const command of [['serve'], ['admin', 'fsck'], ['diff']]) {
    const run = await runTagstone([...command, '--frobnicate'])
    t.equal(run.code, 2, command.join(' '))
    t.match(run.stderr, `tagstone ${command.join(' ')}: unknown option '--frobnicate'\nusage:`, command.join(' '))
  }
})
