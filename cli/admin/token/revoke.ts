import { openTokenStore } from '../../../engine/open-token-store.js'
import { COMMON_OPTIONS, expectNoMore, usageError } from '../../args.js'
import { defineCommand } from '../../command.js'
import { EXIT_OK, EXIT_PROBLEMS } from '../../exit-codes.js'
import { listedToken } from './list.js'

export const tokenRevokeCommand = defineCommand({
  name: 'admin token revoke',
  synopsis: 'admin token revoke <id> [--json] [--data DIR]',
  about: 'Refuses the token from the next request on; revoking twice is harmless. Exit 1 if there is no such token.',
  options: COMMON_OPTIONS,
  run: async ({ positionals, dataDir, json }) => {
    const [id, ...extra] = positionals
    if (!id) throw usageError('revoke needs the id of a token (see `token list`)')
    expectNoMore(extra)
    const store = openTokenStore(dataDir)
    try {
      const revoked = store.revokeToken(id)
      if (!revoked) {
        process.stderr.write(`tagstone admin token revoke: no token with id ${id}\n`)
        return EXIT_PROBLEMS
      }
      process.stdout.write(
        json
          ? `${JSON.stringify(listedToken(revoked, new Date()))}\n`
          : `revoked ${revoked.id} (project ${revoked.project_id}, ${revoked.role}) at ${revoked.revoked_at}\n`,
      )
      return EXIT_OK
    } finally {
      store.close()
    }
  },
})
