#!/usr/bin/env node
import { readServeConfig } from '../server/config.js'
import { ADMIN_USAGE, runAdmin } from './admin.js'

const USAGE = `usage: tagstone <command>

commands:
  serve [--data DIR] [--host H] [--port P] [--no-auth] [--max-versions N] [--max-package-bytes N]
${ADMIN_USAGE}`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve': {
      // Loaded only here: admin commands start faster without the HTTP stack.
      const { serve } = await import('../server/main.js')
      await serve(readServeConfig(rest))
      return -1
    }
    case 'admin':
      return runAdmin(rest)
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`tagstone: unknown command '${command}'\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (err: Error) => {
    process.stderr.write(`tagstone: ${err.message}\n`)
    process.exitCode = 1
  },
)
