import type { RepoStore } from '../repos/repo-store.js'
import type { GitServer } from '../repos/smart-http/git-server.js'
import type { ArchiveCache } from './archive-cache.js'
import type { BackgroundPacker } from './background-pack.js'
import type { FunctionLocks } from './function-locks.js'
import type { Limits } from './limits.js'
import type { Db } from './store/open-database.js'
import type { Statements } from './store/statements.js'
import type { VersionRecords } from './version-records.js'

/** What every engine operation works with; built once by `openEngine`. */
export interface EngineDeps {
  db: Db
  sql: Statements
  repos: RepoStore
  /** The git smart-HTTP server over `repos`, with its caches. */
  git: GitServer
  limits: Limits
  locks: FunctionLocks
  archives: ArchiveCache
  /** Version answers already built, by id and revision. */
  versionRecords: VersionRecords
  /** Packs each function's loose objects once its writes settle (a no-op unless `packAfterMs` was given). */
  packer: BackgroundPacker
  now: () => Date
}
