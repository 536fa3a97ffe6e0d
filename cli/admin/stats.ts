import { type StoreStats, storeStats } from '../../engine/admin/stats.js'
import { COMMON_OPTIONS, expectNoMore } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK } from '../exit-codes.js'

export const statsCommand = defineCommand({
  name: 'admin stats',
  synopsis: 'admin stats [--json] [--data DIR]',
  about: 'Counts and sizes of the whole store.',
  options: COMMON_OPTIONS,
  run: async ({ positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const stats = await storeStats(dataDir)
    process.stdout.write(json ? `${JSON.stringify(stats)}\n` : text(stats))
    return EXIT_OK
  },
})

function text(s: StoreStats): string {
  const v = s.versions
  return [
    `functions        ${s.functions}`,
    `versions         ${v.live} live, ${v.deleted} deleted${v.pending || v.deleting ? `, ${v.pending} pending, ${v.deleting} deleting` : ''}`,
    `aliases          ${s.aliases}`,
    `packages         ${s.packages} (${s.archive_bytes} archive bytes)`,
    `repositories     ${s.repos} (${s.repo_bytes} bytes on disk)`,
    `database         ${s.database_bytes} bytes (+ ${s.wal_bytes} bytes of WAL)`,
    ...(s.operations ? [`operations       ${s.operations} unsettled`] : []),
    '',
  ].join('\n')
}
