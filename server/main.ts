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
  const engine = await openEngine({
    dataDir: config.dataDir,
    holder: 'tagstone serve',
    limits: config.limits,
    archiveCacheBytes: config.archiveCacheBytes,
    gitCacheBytes: config.gitCacheBytes,
    packAfterMs: config.packAfterMs,
    onPack: (functionId, outcome) => {
      if (outcome instanceof Error) app.log.warn({ functionId, err: outcome }, 'background pack failed')
      else if (outcome.status === 'packed' || outcome.refsPacked > 0)
        app.log.info({ functionId, ...outcome }, 'packed loose objects and refs')
    },
  })
  const readiness = { stopping: false }
  const app = await buildApp({
    engine,
    readiness,
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
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal means "now": the store stays consistent (recovery settles it at the next start).
    process.once('SIGINT', () => hardStop('SIGINT'))
    process.once('SIGTERM', () => hardStop('SIGTERM'))
    readiness.stopping = true
    app.log.info(
      { signal, timeoutMs: config.shutdownTimeoutMs },
      `${signal}: stopping, letting requests in flight finish`,
    )
    const timer = setTimeout(() => {
      app.log.warn(`requests still in flight after ${config.shutdownTimeoutMs} ms: closing them`)
      app.server.closeAllConnections()
    }, config.shutdownTimeoutMs)
    timer.unref()
    await app.close()
    clearTimeout(timer)
    // Operations in flight were awaited by their requests; a background pack under way finishes (packs are
    // never cut short by a clean stop); closing checkpoints the WAL into the database file.
    await engine.stopBackground()
    engine.close()
    app.log.info('stopped: store closed cleanly')
    process.exit(0)
  }
  const hardStop = (signal: NodeJS.Signals) => {
    app.log.warn(`${signal} again: exiting at once`)
    process.exit(1)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  await app.listen({ host: config.host, port: config.port })
}
