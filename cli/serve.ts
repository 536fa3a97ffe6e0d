import { SERVE_OPTIONS, serveConfigFrom, serveSettingsText } from '../server/config.js'
import { expectNoMore } from './args.js'
import { defineCommand } from './command.js'
import { SERVING } from './exit-codes.js'

export const serveCommand = defineCommand({
  name: 'serve',
  synopsis: 'serve [--data DIR] [--host H] [--port P] [--no-auth] [--log-level L] [--shutdown-timeout S] [limits...]',
  about: `Serves the Qinling v1 API and git over HTTP (default 127.0.0.1:7070).
SIGTERM/SIGINT stop cleanly: in-flight requests finish (up to --shutdown-timeout, default 30 s), exit 0;
a second signal exits at once (exit 1). Failing to start (a bad flag value, --no-auth off loopback, a port in use) is exit 2.
Every setting, its environment twin (a flag wins) and its default; sizes take a K, M or G suffix:
${serveSettingsText()}`,
  options: SERVE_OPTIONS,
  run: async ({ values, positionals }) => {
    expectNoMore(positionals)
    const config = serveConfigFrom(values)
    // Loaded only here: admin commands start faster without the HTTP stack.
    const { serve } = await import('../server/main.js')
    await serve(config)
    return SERVING
  },
})
