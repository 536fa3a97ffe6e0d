import { RepoStore } from '../../repos/repo-store.js'
import type { EngineDeps } from '../deps.js'
import { existingDatabasePath } from '../engine.js'
import { type AdminStatements, prepareAdminStatements } from '../store/admin-statements.js'
import { openDatabase } from '../store/open-database.js'
import { prepareStatements } from '../store/statements.js'

/** What the admin tools work with: the engine's own statements (for recovery), theirs, and the repositories. */
export interface AdminDeps extends Pick<EngineDeps, 'db' | 'sql' | 'repos' | 'now'> {
  admin: AdminStatements
}

/** Admin deps over an engine's deps (tests, or a process that already holds an engine). */
export function adminDepsOf(deps: Pick<EngineDeps, 'db' | 'sql' | 'repos' | 'now'>): AdminDeps {
  return { db: deps.db, sql: deps.sql, repos: deps.repos, now: deps.now, admin: prepareAdminStatements(deps.db) }
}

/**
 * Opens a data directory for an admin tool on a connection of its own. Read-only
 * unless `write`: then it can never change anything nor hold a lock a running
 * server waits on. Unlike `openEngine` it neither cleans `tmp/` nor runs
 * recovery, both of which would pull things from under a running server.
 */
export function openAdminDeps(dataDir: string, options: { write?: boolean } = {}): AdminDeps & { close(): void } {
  const db = openDatabase(existingDatabasePath(dataDir), { readonly: !options.write })
  const deps = adminDepsOf({ db, sql: prepareStatements(db), repos: new RepoStore(dataDir), now: () => new Date() })
  return { ...deps, close: () => db.close() }
}

/** A data directory (opened for the call and closed after) or the deps of an engine already open. */
export type AdminTarget = string | Pick<EngineDeps, 'db' | 'sql' | 'repos' | 'now'>

export async function withAdminDeps<T>(
  target: AdminTarget,
  options: { write?: boolean },
  work: (d: AdminDeps) => Promise<T>,
): Promise<T> {
  if (typeof target !== 'string') return work(adminDepsOf(target))
  const owned = openAdminDeps(target, options)
  try {
    return await work(owned)
  } finally {
    owned.close()
  }
}
