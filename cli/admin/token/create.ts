import { openTokenStore } from '../../../engine/open-token-store.js'
import { COMMON_OPTIONS, expectNoMore, usageError } from '../../args.js'
import { defineCommand } from '../../command.js'
import { EXIT_OK } from '../../exit-codes.js'

/**
 * Prints the secret and nothing else on stdout (the one moment it is ever
 * shown), so `$(...)` captures just the token; its id, needed to revoke it,
 * goes to stderr unless --json already carries it.
 */
export const tokenCreateCommand = defineCommand({
  name: 'admin token create',
  synopsis: 'admin token create --project P [--role member|admin] [--label TEXT] [--json] [--data DIR]',
  about: 'Makes a token and prints it, once (its id on stderr); the data directory is made if need be.',
  options: { ...COMMON_OPTIONS, project: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' } },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    if (!values.project) throw usageError('--project is required')
    const role = values.role ?? 'member'
    if (role !== 'member' && role !== 'admin') throw usageError(`--role must be member or admin, not '${role}'`)
    const store = openTokenStore(dataDir, { create: true })
    try {
      const made = store.createToken({
        projectId: values.project,
        role,
        ...(values.label !== undefined ? { label: values.label } : {}),
      })
      const out = json
        ? JSON.stringify({
            id: made.id,
            project: made.project_id,
            role: made.role,
            label: made.label,
            created_at: made.created_at,
            token: made.token,
          })
        : made.token
      process.stdout.write(`${out}\n`)
      if (!json) process.stderr.write(`token id ${made.id} (revoke with: npx tagstone admin token revoke ${made.id})\n`)
      return EXIT_OK
    } finally {
      store.close()
    }
  },
})
