import { type StoreStats, storeStats } from '../../engine/admin/stats.js'
import type { AdminCommand } from '../admin.js'
import { parseAdminArgs, reportFailure } from './admin-args.js'

const USAGE = `usage: tagstone admin stats [--json] [--data DIR]
  Counts and sizes of the whole store.
`

export const statsCommand: AdminCommand = async (args) => {
  const parsed = parseAdminArgs('stats', USAGE, args, {})
  if (!parsed) return 2
  if (parsed.positionals.length > 0) {
    process.stderr.write(`tagstone admin stats: unexpected argument '${parsed.positionals[0]}'\n${USAGE}`)
    return 2
  }
  let stats: StoreStats
  try {
    stats = await storeStats(parsed.dataDir)
  } catch (err) {
    return reportFailure('stats', err)
  }
  process.stdout.write(parsed.json ? `${JSON.stringify(stats)}\n` : text(stats))
  return 0
}

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
