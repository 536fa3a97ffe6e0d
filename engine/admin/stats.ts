import { stat } from 'node:fs/promises'

import { directoryBytes } from '../../repos/inspect-repo.js'
import { type AdminTarget, withAdminDeps } from './admin-deps.js'

/** The size of a whole store, for an operator. */
export interface StoreStats {
  functions: number
  versions: { live: number; deleted: number; pending: number; deleting: number }
  aliases: number
  packages: number
  /** Sum of the uploaded archives' sizes, as recorded. */
  archive_bytes: number
  /** Apparent size of every file under `repos/`. */
  repo_bytes: number
  repos: number
  /** `tagstone.db`, and its write-ahead log beside it. */
  database_bytes: number
  wal_bytes: number
  operations: number
}

const fileBytes = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  )

/** Counts and sizes of the whole store. Reads only; given a data directory it opens it read-only. */
export function storeStats(target: AdminTarget): Promise<StoreStats> {
  return withAdminDeps(target, async (d) => {
    const counts = d.db.transaction(() => ({
      functions: d.sql.countFunctions(),
      versions: {
        live: d.sql.countVersionsInState({ state: 'live' }),
        deleted: d.sql.countVersionsInState({ state: 'deleted' }),
        pending: d.sql.countVersionsInState({ state: 'pending' }),
        deleting: d.sql.countVersionsInState({ state: 'deleting' }),
      },
      aliases: d.sql.countAliases(),
      packages: d.sql.countPackages(),
      archive_bytes: d.sql.archiveBytes(),
      operations: d.sql.pendingOperations().length,
    }))()
    return {
      ...counts,
      repo_bytes: await directoryBytes(d.repos.reposDir),
      repos: (await d.repos.list()).length,
      database_bytes: await fileBytes(d.db.name),
      wal_bytes: await fileBytes(`${d.db.name}-wal`),
    }
  })
}
