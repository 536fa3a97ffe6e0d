import { defineGroup } from '../command.js'
import { tokenCreateCommand } from './token/create.js'
import { tokenListCommand } from './token/list.js'
import { tokenRevokeCommand } from './token/revoke.js'

const COMMANDS = { create: tokenCreateCommand, list: tokenListCommand, revoke: tokenRevokeCommand }

/**
 * `tagstone admin token create|list|revoke`: works on the data directory's
 * SQLite file directly, also while a server runs on it. Only `create` ever
 * prints a secret.
 */
export const tokenCommand = defineGroup({
  name: 'admin token',
  noun: 'token',
  commands: Object.fromEntries(Object.entries(COMMANDS).map(([name, command]) => [name, async () => command])),
  // Flags may come before the action (`token --json list`), as they always could.
  leading: Object.assign({}, ...Object.values(COMMANDS).map((c) => c.options)),
})
