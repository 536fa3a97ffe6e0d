import { databasePath, existingDatabasePath, prepareDataDir } from './data-dir.js'
import { openDatabase } from './store/open-database.js'
import { TokenStore } from './tokens.js'

/**
 * The token store of a data directory, on a connection of its own, for the
 * admin commands: they may run beside a live server (WAL and busy_timeout make
 * that safe) and must not run the engine's start-up recovery under its feet.
 * Only `create` makes a data directory that does not exist yet.
 */
export function openTokenStore(dataDir: string, options: { create?: boolean } = {}): TokenStore & { close(): void } {
  if (options.create) prepareDataDir(dataDir, { create: true })
  const db = openDatabase(options.create ? databasePath(dataDir) : existingDatabasePath(dataDir))
  return Object.assign(new TokenStore(db), { close: () => db.close() })
}
