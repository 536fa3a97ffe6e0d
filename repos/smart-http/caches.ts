import type { GitObject } from '../git/object-types.js'
import { ByteLru } from '../pack/byte-lru.js'
import type { PlannedObject } from '../pack/object-walk.js'
import type { DeflatedEntry } from '../pack/pack-entry.js'
import type { PackStats } from '../pack/pack-writer.js'

export interface CachedPack {
  data: Buffer
  stats: PackStats
}

export interface GitCacheLimits {
  /** Parsed commits, trees, tags and delta bases, shared by every repository. */
  objectBytes: number
  /** Blocks of pack files, so that small reads do not each cost a system call. */
  packBlockBytes: number
  /** Objects compressed for a pack, reused by every later pack that carries them. */
  deflatedBytes: number
  /** Whole packs for a (refs, wants, common haves) key; the biggest single pack kept. */
  packBytes: number
  packEntryBytes: number
  /** Object lists of past walks, for packs too big to keep. */
  walkBytes: number
}

const MiB = 1024 * 1024
export const DEFAULT_CACHE_LIMITS: GitCacheLimits = {
  objectBytes: 32 * MiB,
  packBlockBytes: 32 * MiB,
  deflatedBytes: 96 * MiB,
  packBytes: 64 * MiB,
  packEntryBytes: 32 * MiB,
  walkBytes: 8 * MiB,
}

/** The bytes the caches hold together by default; `packEntryBytes` caps one entry of the pack cache, it holds nothing. */
export const DEFAULT_CACHE_TOTAL = Object.entries(DEFAULT_CACHE_LIMITS)
  .filter(([k]) => k !== 'packEntryBytes')
  .reduce((sum, [, bytes]) => sum + bytes, 0)

/** Limits that hold `totalBytes` together, each cache its default share. */
export function cacheLimitsWithin(totalBytes: number): GitCacheLimits {
  const share = (bytes: number) => Math.floor((bytes / DEFAULT_CACHE_TOTAL) * totalBytes)
  const l = DEFAULT_CACHE_LIMITS
  return {
    objectBytes: share(l.objectBytes),
    packBlockBytes: share(l.packBlockBytes),
    deflatedBytes: share(l.deflatedBytes),
    packBytes: share(l.packBytes),
    packEntryBytes: share(l.packEntryBytes),
    walkBytes: share(l.walkBytes),
  }
}

/**
 * The caches behind the git endpoints. History is immutable, so objects and their compressed
 * forms (named by content hash) stay valid for ever; packs and walks depend on which refs exist
 * and are dropped for a repository as soon as its refs change.
 */
export interface GitCaches {
  objects: ByteLru<GitObject>
  packBlocks: ByteLru<Buffer>
  deflated: ByteLru<DeflatedEntry>
  packs: ByteLru<CachedPack>
  walks: ByteLru<PlannedObject[]>
}

export function makeGitCaches(limits: Partial<GitCacheLimits> = {}): GitCaches {
  const l = { ...DEFAULT_CACHE_LIMITS, ...limits }
  return {
    objects: new ByteLru(l.objectBytes),
    packBlocks: new ByteLru(l.packBlockBytes),
    deflated: new ByteLru(l.deflatedBytes, l.deflatedBytes / 4),
    packs: new ByteLru(l.packBytes, l.packEntryBytes),
    walks: new ByteLru(l.walkBytes),
  }
}

/** How one cache has fared: what metrics report, with no metrics library down here. */
export interface CacheStats {
  cache: string
  hits: number
  misses: number
  bytes: number
}

export function gitCacheStats(caches: GitCaches): CacheStats[] {
  return Object.entries(caches).map(([name, lru]: [string, ByteLru<unknown>]) => ({
    cache: `git_${name}`,
    hits: lru.hits,
    misses: lru.misses,
    bytes: lru.bytes,
  }))
}

/** Drops what depends on a repository's refs: its packs and walks. */
export function forgetRefDependentEntries(caches: GitCaches, gitdir: string): void {
  caches.packs.deletePrefix(`${gitdir}\0`)
  caches.walks.deletePrefix(`${gitdir}\0`)
}
