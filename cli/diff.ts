import type { VersionDiffRecord } from '../engine/records.js'
import { usageError } from './args.js'
import { defineCommand } from './command.js'
import { EXIT_OK } from './exit-codes.js'
import { DEFAULT_URL, SERVER_OPTIONS, serverClient } from './server-client.js'

export const diffCommand = defineCommand({
  name: 'diff',
  synopsis: 'diff <function_id> <a> [<b>] [--stat] [--json] [--url URL] [--token TOKEN]',
  about: `Compares version a with version b (default: the function's current package) on a running server.
Prints a git patch (git apply takes it), or with --stat each changed file and the config changes,
or with --json the server's answer. --url defaults to TAGSTONE_URL, then ${DEFAULT_URL};
--token to TAGSTONE_TOKEN. A refusal exits 1 with the server's message, an unreachable server 2.`,
  options: { ...SERVER_OPTIONS, json: { type: 'boolean' }, stat: { type: 'boolean' } },
  run: async ({ positionals, values, json }) => {
    const [id, a, b, ...extra] = positionals
    if (!id || !a) throw usageError('a function id and a version are needed')
    if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`)
    const call = serverClient(values)
    const path = `/v1/functions/${encodeURIComponent(id)}/versions/${encodeURIComponent(a)}/diff?to=${encodeURIComponent(b ?? 'current')}`
    if (!json && !values.stat) {
      process.stdout.write((await call('GET', `${path}&format=patch`, 'text/x-diff')).body)
      return EXIT_OK
    }
    const diff = (await call('GET', path)).json<VersionDiffRecord>()
    process.stdout.write(json ? `${JSON.stringify(diff)}\n` : stat(diff))
    return EXIT_OK
  },
})

function stat(d: VersionDiffRecord): string {
  const name = (end: VersionDiffRecord['from']) => (end.version === null ? 'current' : `v${end.version}`)
  const width = Math.max(0, ...d.files.map((f) => f.path.length))
  const lines = [
    `${name(d.from)}..${name(d.to)}`,
    ...d.files.map(
      (f) =>
        ` ${f.path.padEnd(width)} | ${f.binary ? 'binary' : `+${f.additions} -${f.deletions}`} (${f.status.replace('_', ' ')})`,
    ),
    ` ${d.stats.files_changed} file(s) changed, ${d.stats.additions} insertion(s)(+), ${d.stats.deletions} deletion(s)(-)`,
    ...Object.entries(d.config).map(([k, c]) => ` config ${k}: ${String(c.from)} -> ${String(c.to)}`),
  ]
  return `${lines.join('\n')}\n`
}
