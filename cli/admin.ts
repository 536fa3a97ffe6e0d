import { COMMON_OPTIONS } from './args.js'
import { defineGroup } from './command.js'

/**
 * `tagstone admin <command>`: each command is a module of its own under
 * `cli/admin/`, loaded only when run, and works on a data directory directly
 * (no server needed).
 */
export const adminCommand = defineGroup({
  name: 'admin',
  noun: 'admin',
  commands: {
    token: async () => (await import('./admin/token.js')).tokenCommand,
    fsck: async () => (await import('./admin/fsck.js')).fsckCommand,
    inspect: async () => (await import('./admin/inspect.js')).inspectCommand,
    stats: async () => (await import('./admin/stats.js')).statsCommand,
    prune: async () => (await import('./admin/prune.js')).pruneCommand,
    events: async () => (await import('./admin/events.js')).eventsCommand,
    gc: async () => (await import('./admin/gc.js')).gcCommand,
  },
  leading: COMMON_OPTIONS,
})
