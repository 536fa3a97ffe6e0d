import { prune, type PruneReport } from '../../engine/admin/prune.js'
import { COMMON_OPTIONS, expectNoMore, usageError } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK } from '../exit-codes.js'

export const pruneCommand = defineCommand({
  name: 'admin prune',
  synopsis: 'admin prune --keep-last N [--function ID] [--dry-run] [--json] [--data DIR]',
  about: `Deletes each function's oldest versions beyond the newest N, except those an alias routes to
(their numbers stay used, their tags go). --dry-run only says what would go and may run beside a server;
without it, stop the server first.`,
  options: {
    ...COMMON_OPTIONS,
    'keep-last': { type: 'string' },
    function: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const raw = values['keep-last']
    if (raw === undefined) throw usageError('--keep-last N is required')
    if (!/^[1-9]\d{0,8}$/.test(raw)) throw usageError(`--keep-last must be a whole number of 1 or more, not '${raw}'`)
    const report = await prune(dataDir, {
      keep: Number(raw),
      dryRun: values['dry-run'] === true,
      ...(values.function !== undefined ? { functionId: values.function } : {}),
    })
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : text(report))
    return EXIT_OK
  },
})

function text(r: PruneReport): string {
  const verb = r.dry_run ? 'would prune' : 'pruned'
  const lines = r.functions
    .filter((f) => f.pruned.length > 0)
    .map((f) => `${f.function_id}: ${verb} ${f.pruned.map((n) => `v${n}`).join(' ')}`)
  const total = r.functions.reduce((n, f) => n + f.pruned.length, 0)
  lines.push(`${verb} ${total} version(s) of ${r.functions.length} function(s), keeping the newest ${r.keep}`)
  return `${lines.join('\n')}\n`
}
