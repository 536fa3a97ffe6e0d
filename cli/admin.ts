/**
 * `tagstone admin <command>`: each command is a module of its own under
 * `cli/admin/`, run against a data directory directly (no server needed).
 * A command returns its exit code.
 */
export type AdminCommand = (args: string[]) => Promise<number>

const COMMANDS: Record<string, () => Promise<AdminCommand>> = {
  token: async () => (await import('./admin/token.js')).tokenCommand,
  fsck: async () => (await import('./admin/fsck.js')).fsckCommand,
  inspect: async () => (await import('./admin/inspect.js')).inspectCommand,
  stats: async () => (await import('./admin/stats.js')).statsCommand,
}

export const ADMIN_USAGE = `  admin <${Object.keys(COMMANDS).join('|') || 'command'}> [--data DIR] [--json] ...\n`

export async function runAdmin(args: string[]): Promise<number> {
  const [name, ...rest] = args
  const load = name ? COMMANDS[name] : undefined
  if (!load) {
    process.stderr.write(
      `tagstone admin: unknown command '${name ?? ''}'; one of: ${Object.keys(COMMANDS).join(', ')}\n`,
    )
    return 2
  }
  return (await load())(rest)
}
