import type { FastifyServerOptions } from 'fastify'

import { bootstrapAdminToken } from '../engine/admin-token-file.js'
import { openEngine } from '../engine/engine.js'
import { buildApp, REDACTED_HEADERS } from './app.js'
import type { LogLevel, ServeConfig } from './config.js'
import { isLoopbackHost } from './loopback.js'
import { gitBasicAuthenticate, tokenAuthenticate } from './token-auth.js'

/** The process's log settings; secrets in headers are redacted. */
export const serverLoggerOptions = (level: LogLevel): FastifyServerOptions['logger'] => ({
  level,
  redact: REDACTED_HEADERS,
})

/** Starts the server process: recovery first, then the listener. Stops cleanly on SIGINT/SIGTERM. */
export async function serve(config: ServeConfig): Promise<void> {
  if (config.noAuth && !isLoopbackHost(config.host)) {
    throw new Error(
      `--no-auth makes every caller an admin, so it only listens on a loopback address (127.0.0.1, ::1, localhost), not '${config.host}'. Drop --no-auth and use tokens, or listen on 127.0.0.1.`,
    )
  }
  const engine = await openEngine({ dataDir: config.dataDir, limits: config.limits })
  const app = await buildApp({
    engine,
    ...(config.noAuth
      ? {}
      : { authenticate: tokenAuthenticate(engine.tokens), authenticateGit: gitBasicAuthenticate(engine.tokens) }),
    logger: serverLoggerOptions(config.logLevel),
  })
  if (config.noAuth) {
    app.log.warn('--no-auth: every request acts as project default with role admin')
  } else {
    const path = bootstrapAdminToken(engine.tokens, config.dataDir)
    if (path) app.log.info({ path }, `no tokens yet: wrote an admin token for project default to ${path}`)
  }
  const stop = async () => {
    await app.close()
    engine.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  await app.listen({ host: config.host, port: config.port })
}
