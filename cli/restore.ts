import type { FunctionRecord } from '../engine/records.js'
import { expectNoMore, usageError } from './args.js'
import { defineCommand } from './command.js'
import { EXIT_OK } from './exit-codes.js'
import { SERVER_OPTIONS, serverClient } from './server-client.js'

export const restoreCommand = defineCommand({
  name: 'restore',
  synopsis: 'restore <function_id> <n> [--json] [--url URL] [--token TOKEN]',
  about: `Makes version n the function's current code and config again, as a new commit on main, on a
running server (--url, --token as for diff). Prints the function's new head, or with --json the function.`,
  options: { ...SERVER_OPTIONS, json: { type: 'boolean' } },
  run: async ({ positionals, values, json }) => {
    const [id, n, ...extra] = positionals
    if (!id || !n) throw usageError('a function id and a version number are needed')
    expectNoMore(extra)
    const call = serverClient(values)
    const fn = (
      await call('POST', `/v1/functions/${encodeURIComponent(id)}/versions/${encodeURIComponent(n)}/restore`)
    ).json<FunctionRecord>()
    const md5 = (JSON.parse(fn.code) as { md5sum: string }).md5sum
    process.stdout.write(
      json ? `${JSON.stringify(fn)}\n` : `function ${fn.id} runs version ${n}: commit ${fn.commit}, md5 ${md5}\n`,
    )
    return EXIT_OK
  },
})
