import { readEvents } from '../../engine/admin/events.js'
import type { EventRecord } from '../../engine/records.js'
import { COMMON_OPTIONS, expectNoMore } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK } from '../exit-codes.js'

export const eventsCommand = defineCommand({
  name: 'admin events',
  synopsis: 'admin events [--function ID] [--follow] [--json] [--data DIR]',
  about: `The audit log of every project, oldest first; --json prints one JSON event per line.
--follow keeps printing new events as they are written (stop it with Ctrl-C); it only reads, beside a server.`,
  options: { ...COMMON_OPTIONS, function: { type: 'string' }, follow: { type: 'boolean' } },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
    try {
      await readEvents(
        dataDir,
        values.function !== undefined ? { functionId: values.function } : {},
        (e) => process.stdout.write(json ? `${JSON.stringify(e)}\n` : `${line(e)}\n`),
        { follow: values.follow === true, signal: stop.signal },
      )
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    }
    return EXIT_OK
  },
})

function line(e: EventRecord): string {
  const target = [
    e.function_id ?? '',
    e.version !== null ? `v${e.version}` : '',
    e.alias !== null ? `alias ${e.alias}` : '',
  ].filter(Boolean)
  const details = Object.keys(e.details).length ? ` ${JSON.stringify(e.details)}` : ''
  return `${e.time}  ${e.project_id}  ${e.actor}  ${e.action}  ${target.join(' ')}${details}`
}
