import { EngineError, hasErrorCode } from '../../../engine/errors.js'
import { openTokenStore } from '../../../engine/open-token-store.js'
import { parseDuration } from '../../../engine/time.js'
import { COMMON_OPTIONS, expectNoMore, usageError } from '../../args.js'
import { defineCommand } from '../../command.js'
import { EXIT_OK } from '../../exit-codes.js'

/**
 * Prints the secret and nothing else on stdout (the one moment it is ever
 * shown), so `$(...)` captures just the token; its id, needed to revoke it,
 * and when it expires go to stderr unless --json already carries them.
 */
export const tokenCreateCommand = defineCommand({
  name: 'admin token create',
  synopsis:
    'admin token create --project P [--role member|admin] [--label TEXT] [--expires-in DURATION] [--init] [--json] [--data DIR]',
  about: `Makes a token and prints it, once (its id and expiry on stderr). The data directory must hold a store
(a mistyped --data is an error, not a new empty store no server reads); --init makes one there if there is none.
--expires-in makes it stop working after a whole number of days, hours, minutes or seconds (30d, 12h, 45m, 90s;
at most 36500d); without it, the token never expires.`,
  options: {
    ...COMMON_OPTIONS,
    project: { type: 'string' },
    role: { type: 'string' },
    label: { type: 'string' },
    'expires-in': { type: 'string' },
    init: { type: 'boolean' },
  },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    if (!values.project) throw usageError('--project is required')
    const role = values.role ?? 'member'
    if (role !== 'member' && role !== 'admin') throw usageError(`--role must be member or admin, not '${role}'`)
    const expiresIn = values['expires-in']
    const expiresInMs = expiresIn === undefined ? undefined : expiryOption(expiresIn)
    const store = openStore(dataDir, values.init === true)
    try {
      const made = store.createToken({
        projectId: values.project,
        role,
        ...(values.label !== undefined ? { label: values.label } : {}),
        ...(expiresInMs !== undefined ? { expiresInMs } : {}),
      })
      const out = json
        ? JSON.stringify({
            id: made.id,
            project: made.project_id,
            role: made.role,
            label: made.label,
            created_at: made.created_at,
            expires_at: made.expires_at,
            token: made.token,
          })
        : made.token
      process.stdout.write(`${out}\n`)
      if (!json) {
        const expiry = made.expires_at === null ? 'never expires' : `expires ${made.expires_at} UTC`
        process.stderr.write(
          `token id ${made.id}, ${expiry} (revoke with: npx tagstone admin token revoke ${made.id})\n`,
        )
      }
      return EXIT_OK
    } finally {
      store.close()
    }
  },
})

/** `--expires-in` in milliseconds; a duration it cannot read is a usage error naming the option. */
function expiryOption(text: string): number {
  try {
    return parseDuration(text, '--expires-in')
  } catch (err) {
    throw usageError((err as Error).message)
  }
}

/** The store to add to; without `init`, only one that exists, with a hint where there is none. */
function openStore(dataDir: string, init: boolean): ReturnType<typeof openTokenStore> {
  try {
    return openTokenStore(dataDir, { create: init })
  } catch (err) {
    if (!hasErrorCode(err, 'NO_DATA_DIRECTORY')) throw err
    const hint = `${err.message.replace(/\.$/, '')}; check --data, or pass --init to make a new store there.`
    throw new EngineError('NO_DATA_DIRECTORY', hint, err.details)
  }
}
