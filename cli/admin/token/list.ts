import { openTokenStore } from '../../../engine/open-token-store.js'
import { isExpired, type TokenRecord } from '../../../engine/tokens.js'
import { COMMON_OPTIONS, expectNoMore } from '../../args.js'
import { defineCommand } from '../../command.js'
import { EXIT_OK } from '../../exit-codes.js'

export const tokenListCommand = defineCommand({
  name: 'admin token list',
  synopsis: 'admin token list [--json] [--data DIR]',
  about:
    'Every token: id, project, role, created, expires (UTC; never, or marked expired), revoked, label; never a secret.',
  options: COMMON_OPTIONS,
  run: async ({ positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const store = openTokenStore(dataDir)
    try {
      const tokens = store.listTokens()
      // One instant for the whole listing, so no two rows disagree on what has expired.
      const now = new Date()
      process.stdout.write(
        json ? `${JSON.stringify({ tokens: tokens.map((t) => listedToken(t, now)) })}\n` : table(tokens, now),
      )
      return EXIT_OK
    } finally {
      store.close()
    }
  },
})

/** A token as the admin commands show it: everything but the secret's hash, and whether it has expired by `now`. */
export const listedToken = (t: TokenRecord, now: Date) => ({
  id: t.id,
  project: t.project_id,
  role: t.role,
  label: t.label,
  created_at: t.created_at,
  revoked_at: t.revoked_at,
  expires_at: t.expires_at,
  expired: isExpired(t, now),
})

function table(tokens: TokenRecord[], now: Date): string {
  const expires = (t: TokenRecord) =>
    t.expires_at === null ? 'never' : isExpired(t, now) ? `${t.expires_at} (expired)` : t.expires_at
  const rows = [
    ['ID', 'PROJECT', 'ROLE', 'CREATED', 'EXPIRES', 'REVOKED', 'LABEL'],
    ...tokens.map((t) => [t.id, t.project_id, t.role, t.created_at, expires(t), t.revoked_at ?? '-', t.label ?? '']),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('')
}
