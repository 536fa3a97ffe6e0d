import { setSyncObserver, type SyncObserver } from '../repos/durable-fs.js'
import { RepoStore } from '../repos/repo-store.js'
import { cacheLimitsWithin, type CacheStats, type GitCacheLimits } from '../repos/smart-http/caches.js'
import { GitServer } from '../repos/smart-http/git-server.js'
import * as aliases from './aliases.js'
import { ArchiveCache } from './archive-cache.js'
import { BackgroundPacker, type PackReport } from './background-pack.js'
import { databasePath, type DataDirLock, lockDataDir, prepareDataDir } from './data-dir.js'
import type { EngineDeps } from './deps.js'
import * as diff from './diff.js'
import * as events from './events.js'
import { FunctionLocks } from './function-locks.js'
import * as functions from './functions.js'
import { gitRepository } from './git-repository.js'
import { DEFAULT_LIMITS, type Limits } from './limits.js'
import { recover } from './operations/settle-operation.js'
import { unwritableReason } from './readiness.js'
import { openDatabase } from './store/open-database.js'
import { prepareStatements } from './store/statements.js'
import { TokenStore } from './tokens.js'
import { VersionRecords } from './version-records.js'
import * as versions from './versions.js'

export interface EngineOptions {
  dataDir: string
  limits?: Partial<Limits>
  /** Bytes of package archives kept in memory for downloads. */
  archiveCacheBytes?: number
  /** Bytes the git server's caches may hold; each left out keeps its default. */
  gitCacheLimits?: Partial<GitCacheLimits>
  /** Or the bytes they hold together, each its default share (`gitCacheLimits` wins). */
  gitCacheBytes?: number
  /** Pack a function's loose objects this long after its last git write with none since; 0 or absent: never. */
  packAfterMs?: number
  /** Hears what each background pack did, or its error. */
  onPack?: PackReport
  /** Names the process in the message another taker of the data directory's lock gets. */
  holder?: string
  now?: () => Date
}

/** What the caches have done since start, for metrics. */
export interface EngineStats {
  caches: CacheStats[]
}

// The admin tools and the token store find the SQLite file through the engine.
export { databasePath, existingDatabasePath } from './data-dir.js'

type Tail<F> = F extends (deps: EngineDeps, ...rest: infer R) => infer T ? (...rest: R) => T : never

/**
 * The domain, bound to one data directory. Every method takes the caller's
 * RequestContext first; none knows of HTTP.
 */
export class Engine {
  readonly createFunction: Tail<typeof functions.createFunction>
  readonly updateFunction: Tail<typeof functions.updateFunction>
  readonly deleteFunction: Tail<typeof functions.deleteFunction>
  readonly listFunctions: Tail<typeof functions.listFunctions>
  readonly getFunction: Tail<typeof functions.getFunction>
  readonly downloadFunction: Tail<typeof functions.downloadFunction>
  readonly detachFunction: Tail<typeof functions.detachFunction>
  readonly createVersion: Tail<typeof versions.createVersion>
  readonly listVersions: Tail<typeof versions.listVersions>
  readonly getVersion: Tail<typeof versions.getVersion>
  readonly downloadVersion: Tail<typeof versions.downloadVersion>
  readonly deleteVersion: Tail<typeof versions.deleteVersion>
  readonly detachVersion: Tail<typeof versions.detachVersion>
  readonly restoreVersion: Tail<typeof versions.restoreVersion>
  readonly diffVersions: Tail<typeof diff.diffVersions>
  readonly createAlias: Tail<typeof aliases.createAlias>
  readonly listAliases: Tail<typeof aliases.listAliases>
  readonly getAlias: Tail<typeof aliases.getAlias>
  readonly updateAlias: Tail<typeof aliases.updateAlias>
  readonly deleteAlias: Tail<typeof aliases.deleteAlias>
  readonly listEvents: Tail<typeof events.listEvents>
  /** The repository of a function the caller may read, for git clients. */
  readonly gitRepository: Tail<typeof gitRepository>
  /** API tokens, on the engine's own connection. */
  readonly tokens: TokenStore

  constructor(
    readonly deps: EngineDeps,
    private readonly lock?: DataDirLock,
  ) {
    const bind = <F extends (d: EngineDeps, ...rest: never[]) => unknown>(f: F) => f.bind(null, deps) as Tail<F>
    this.createFunction = bind(functions.createFunction)
    this.updateFunction = bind(functions.updateFunction)
    this.deleteFunction = bind(functions.deleteFunction)
    this.listFunctions = bind(functions.listFunctions)
    this.getFunction = bind(functions.getFunction)
    this.downloadFunction = bind(functions.downloadFunction)
    this.detachFunction = bind(functions.detachFunction)
    this.createVersion = bind(versions.createVersion)
    this.listVersions = bind(versions.listVersions)
    this.getVersion = bind(versions.getVersion)
    this.downloadVersion = bind(versions.downloadVersion)
    this.deleteVersion = bind(versions.deleteVersion)
    this.detachVersion = bind(versions.detachVersion)
    this.restoreVersion = bind(versions.restoreVersion)
    this.diffVersions = bind(diff.diffVersions)
    this.createAlias = bind(aliases.createAlias)
    this.listAliases = bind(aliases.listAliases)
    this.getAlias = bind(aliases.getAlias)
    this.updateAlias = bind(aliases.updateAlias)
    this.deleteAlias = bind(aliases.deleteAlias)
    this.listEvents = bind(events.listEvents)
    this.gitRepository = bind(gitRepository)
    this.tokens = new TokenStore(deps.db, deps.now)
  }

  get limits(): Limits {
    return this.deps.limits
  }

  /** Hits, misses and bytes of every cache: the git server's, the package archives' and the version answers'. */
  stats(): EngineStats {
    return { caches: [...this.deps.git.cacheStats(), this.deps.archives.stats(), this.deps.versionRecords.stats()] }
  }

  /**
   * Hears every fsync of the durable writes and how long it took, or no longer (undefined).
   * The writes are module functions, so there is one observer per process, not per engine.
   */
  observeSyncs(observer: SyncObserver | undefined): void {
    setSyncObserver(observer)
  }

  /** Why a write cannot start now, or null when it can (the readiness probe asks). */
  unwritableReason(): string | null {
    return unwritableReason(this.deps.db)
  }

  /** Starts no more background work and waits for what is under way; call it before `close` to stop cleanly. */
  async stopBackground(): Promise<void> {
    await this.deps.packer.stop()
  }

  close(): void {
    this.deps.db.close()
    this.lock?.release()
  }
}

/**
 * Opens a data directory (creating it), takes it for this process alone (see `lockDataDir`), runs
 * migrations and recovery, and returns the engine.
 */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  prepareDataDir(options.dataDir, { create: true })
  const lock = lockDataDir(options.dataDir, options.holder ?? 'a tagstone process')
  try {
    return new Engine(await openDeps(options), lock)
  } catch (err) {
    lock.release()
    throw err
  }
}

async function openDeps(options: EngineOptions): Promise<EngineDeps> {
  const db = openDatabase(databasePath(options.dataDir))
  const git = new GitServer(
    options.gitCacheLimits ?? (options.gitCacheBytes === undefined ? {} : cacheLimitsWithin(options.gitCacheBytes)),
  )
  const repos = new RepoStore(options.dataDir, git)
  const locks = new FunctionLocks()
  try {
    await repos.prepare()
    const deps: EngineDeps = {
      db,
      sql: prepareStatements(db),
      repos,
      git,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      locks,
      archives: new ArchiveCache(options.archiveCacheBytes ?? 128 * 1024 * 1024),
      versionRecords: new VersionRecords(),
      packer: new BackgroundPacker({ repos, locks }, options.packAfterMs ?? 0, options.onPack),
      now: options.now ?? (() => new Date()),
    }
    await recover(deps)
    return deps
  } catch (err) {
    db.close()
    throw err
  }
}
