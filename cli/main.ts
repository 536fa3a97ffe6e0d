#!/usr/bin/env node
import { readFileSync } from 'node:fs'

import { usageError } from './args.js'
import { type Command, indent, reportFailure } from './command.js'
import { EXIT_CODE_RULE, EXIT_OK, exitCodeOf, SERVING } from './exit-codes.js'

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  admin: async () => (await import('./admin.js')).adminCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  restore: async () => (await import('./restore.js')).restoreCommand,
}

/** `tagstone help`: every command with its flags, and the exit-code rule. */
async function help(): Promise<string> {
  const entries = (await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).usage()))).flat()
  return [
    'usage: tagstone <command> [options]\n\ncommands:\n',
    ...entries.map((e) => `  tagstone ${e.synopsis}\n${indent(e.about, 6)}`),
    '  tagstone help\n',
    indent('This text (also --help, -h). Every command and subcommand takes --help too.', 6),
    '  tagstone --version\n',
    indent('The version of tagstone (also -V, version).', 6),
    '\n--data DIR defaults to TAGSTONE_DATA, then ./data, for every command.\n\n',
    EXIT_CODE_RULE,
  ].join('')
}

/** The installed package's version: this file is `dist/cli/main.js`, two folders below `package.json`. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(await help())
    return EXIT_OK
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`tagstone ${version()}\n`)
    return EXIT_OK
  }
  const load = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (load) return (await load()).run(rest)
  return reportFailure('', await help(), usageError(name ? `unknown command '${name}'` : 'a command is needed'))
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== SERVING) process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`tagstone: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = exitCodeOf(err)
  },
)
