import { openEngine } from '../engine/engine.js'
import { buildApp, REDACTED_HEADERS } from './app.js'
import type { ServeConfig } from './config.js'

/** Starts the server process: recovery first, then the listener. Stops cleanly on SIGINT/SIGTERM. */
export async function serve(config: ServeConfig): Promise<void> {
  const engine = await openEngine({ dataDir: config.dataDir, limits: config.limits })
  const app = await buildApp({
    engine,
    logger: { level: process.env.TAGSTONE_LOG_LEVEL ?? 'info', redact: REDACTED_HEADERS },
  })
  const stop = async () => {
    await app.close()
    engine.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  await app.listen({ host: config.host, port: config.port })
}
