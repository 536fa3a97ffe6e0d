import type { Readable } from 'node:stream'

import { advertiseRefs } from './advertise-refs.js'
import { type CacheStats, type GitCacheLimits, type GitCaches, gitCacheStats, makeGitCaches } from './caches.js'
import { PackResponses } from './pack-response.js'
import { OpenRepositories } from './repository-state.js'
import { uploadPack, type UploadPackOptions } from './upload-pack.js'

/** A repository's side of the two smart-HTTP requests. */
export interface ServedRepository {
  /** The body of `GET info/refs?service=git-upload-pack`. */
  advertiseRefs(): Promise<Buffer>
  /** The answer to `POST git-upload-pack`; `onError` hears of a failure once the pack is streaming. */
  uploadPack(body: Buffer, options?: UploadPackOptions): Promise<Buffer | Readable>
}

/**
 * The read-only git smart-HTTP server: its caches (sized once, at start-up), the repositories it
 * holds open, the walks in flight and the budget of packs being copied into the cache. One per
 * process, made by whoever opens the data directory and handed down from there.
 */
export class GitServer {
  readonly caches: GitCaches
  readonly repositories: OpenRepositories
  readonly packs: PackResponses

  constructor(limits: Partial<GitCacheLimits> = {}) {
    this.caches = makeGitCaches(limits)
    this.repositories = new OpenRepositories(this.caches)
    this.packs = new PackResponses(this.caches, this.repositories)
  }

  /** The body of `GET info/refs?service=git-upload-pack`. */
  async advertiseRefs(gitdir: string): Promise<Buffer> {
    return await advertiseRefs(this.repositories, gitdir)
  }

  /** The answer to `POST git-upload-pack`: ACK/NAK lines, or a stream ending in the pack. */
  async uploadPack(gitdir: string, body: Buffer, options: UploadPackOptions = {}): Promise<Buffer | Readable> {
    return await uploadPack(this, gitdir, body, options)
  }

  /** One repository, as the git routes are handed it: the two requests, bound to its path. */
  repository(gitdir: string): ServedRepository {
    return {
      advertiseRefs: async () => await this.advertiseRefs(gitdir),
      uploadPack: async (body, options) => await this.uploadPack(gitdir, body, options),
    }
  }

  /** Hits, misses and bytes held of each cache. */
  cacheStats(): CacheStats[] {
    return gitCacheStats(this.caches)
  }

  /** Lets go of a repository (it was removed): its open files, cached packs and walks. */
  forget(gitdir: string): void {
    this.repositories.forget(gitdir)
  }
}
