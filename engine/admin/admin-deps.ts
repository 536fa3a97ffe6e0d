import { RepoStore } from '../../repos/repo-store.js'
import { lockDataDir } from '../data-dir.js'
import type { EngineDeps } from '../deps.js'
import { existingDatabasePath } from '../engine.js'
import type { SettleDeps } from '../operations/operation.js'
import { type Db, openDatabase } from '../store/open-database.js'
import { prepareReadStatements, prepareStatements, type ReadStatements } from '../store/statements.js'

/** What the admin tools that only look work with: reads, and the repositories. */
export interface AdminDeps extends Pick<EngineDeps, 'db' | 'repos' | 'now'> {
  sql: ReadStatements
}

/** What repairs work with: the writes too, the very ones recovery settles with. */
export type RepairDeps = SettleDeps

/** A data directory (opened for the call and closed after) or the deps of an engine already open. */
export type AdminTarget = string | RepairDeps

/** Runs `work` on a read-only connection of its own (given a data directory), beside a running server. */
export function withAdminDeps<T>(target: AdminTarget, work: (d: AdminDeps) => Promise<T>): Promise<T> {
  return typeof target === 'string'
    ? withOwnConnection(target, existingDatabasePath(target), false, prepareReadStatements, work)
    : work(target)
}

/**
 * Runs `work` on a writable connection of its own (given a data directory), holding the data
 * directory's lock: repairs settle leftover operations, which would pull them from under a server.
 * `holder` names the command for a server that tries to start meanwhile.
 */
export async function withRepairDeps<T>(
  target: AdminTarget,
  holder: string,
  work: (d: RepairDeps) => Promise<T>,
): Promise<T> {
  if (typeof target !== 'string') return work(target)
  const path = existingDatabasePath(target)
  const lock = lockDataDir(target, holder)
  try {
    return await withOwnConnection(target, path, true, prepareStatements, work)
  } finally {
    lock.release()
  }
}

/**
 * Opens a data directory for an admin tool on a connection of its own. Read-only
 * unless `write`: then it can never change anything nor hold a lock a running
 * server waits on. Unlike `openEngine` it neither cleans `tmp/` nor runs
 * recovery, both of which would pull things from under a running server.
 */
async function withOwnConnection<S, T>(
  dataDir: string,
  path: string,
  write: boolean,
  prepare: (db: Db) => S,
  work: (d: Pick<EngineDeps, 'db' | 'repos' | 'now'> & { sql: S }) => Promise<T>,
): Promise<T> {
  const db = openDatabase(path, { readonly: !write })
  try {
    return await work({ db, sql: prepare(db), repos: new RepoStore(dataDir), now: () => new Date() })
  } finally {
    db.close()
  }
}
