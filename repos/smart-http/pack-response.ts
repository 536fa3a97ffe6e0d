import { createHash } from 'node:crypto'

import { SERVING_DELTA_SEARCH } from '../pack/delta-search.js'
import { type PlannedObject, planPackObjects } from '../pack/object-walk.js'
import { type PackStats, writePack } from '../pack/pack-writer.js'
import type { GitCaches } from './caches.js'
import type { OpenRepositories, RepositoryState } from './repository-state.js'

export interface PackRequest {
  wants: string[]
  common: string[]
  includeTag: boolean
  ofsDelta: boolean
}

/** A pack about to be streamed: how many objects, and the bytes on demand. */
export interface PreparedPack {
  objectCount: number
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>
  /** Known once the chunks are all consumed. */
  stats: () => PackStats | undefined
}

/** Bytes a planned object takes in the walk cache, roughly: its id string and the record. */
const WALK_BYTES_PER_OBJECT = 120

/**
 * Packs for upload-pack requests, with what they share across requests: the pack and walk caches,
 * the walks in flight (so that simultaneous identical clones walk once) and the budget of packs
 * being copied aside for the cache while they stream.
 */
export class PackResponses {
  readonly #walksInFlight = new Map<string, Promise<PlannedObject[]>>()
  /**
   * Packs being copied aside for the cache while they stream count against this, so that many
   * large clones at once cannot pile up copies beyond the cache's own bound.
   */
  #copyingBytes = 0

  constructor(
    readonly caches: GitCaches,
    readonly repositories: OpenRepositories,
  ) {}

  /**
   * Finds or builds the pack for a request. Packs and walks are cached under the repository's ref
   * fingerprint, the wants, the common haves and the options that change the bytes; a pack that
   * grows past the cache's per-entry limit is streamed without being kept.
   */
  async prepare(state: RepositoryState, request: PackRequest): Promise<PreparedPack> {
    const caches = this.caches
    const key = packKey(state, request)
    const cached = caches.packs.get(key)
    if (cached !== undefined) {
      return { objectCount: cached.stats.objects, chunks: [cached.data], stats: () => cached.stats }
    }
    const plan = await this.#planFor(state, request, key)
    let stats: PackStats | undefined
    const written = writePack(state.store, plan, {
      ofsDelta: request.ofsDelta,
      deflatedCache: caches.deflated,
      cachePrefix: `${state.gitdir}\0`,
      deltaSearch: SERVING_DELTA_SEARCH,
      onDone: (done) => {
        stats = done
      },
    })
    return {
      objectCount: plan.length,
      chunks: this.#keepWhileSmall(state, written, key, () => stats),
      stats: () => stats,
    }
  }

  async #planFor(state: RepositoryState, request: PackRequest, key: string): Promise<PlannedObject[]> {
    const walks = this.caches.walks
    const known = walks.get(key) ?? (await this.#walksInFlight.get(key))
    if (known !== undefined) return known
    const tagsToFollow = request.includeTag
      ? state.refs.filter((ref) => ref.peeled !== undefined).map((ref) => ref.oid)
      : []
    const walking = planPackObjects(state.store, request.wants, request.common, tagsToFollow)
    this.#walksInFlight.set(key, walking)
    try {
      const plan = await walking
      if (this.repositories.isCurrent(state)) walks.set(key, plan, plan.length * WALK_BYTES_PER_OBJECT)
      return plan
    } finally {
      this.#walksInFlight.delete(key)
    }
  }

  async *#keepWhileSmall(
    state: RepositoryState,
    chunks: AsyncIterable<Buffer>,
    key: string,
    stats: () => PackStats | undefined,
  ): AsyncGenerator<Buffer> {
    const packs = this.caches.packs
    let kept: Buffer[] | undefined = []
    let keptBytes = 0
    const stopKeeping = (): void => {
      kept = undefined
      this.#copyingBytes -= keptBytes
      keptBytes = 0
    }
    try {
      for await (const chunk of chunks) {
        if (kept !== undefined) {
          kept.push(chunk)
          keptBytes += chunk.length
          this.#copyingBytes += chunk.length
          if (keptBytes > packs.maxEntryBytes || this.#copyingBytes > packs.maxBytes) stopKeeping()
        }
        yield chunk
      }
      const done = stats()
      if (kept !== undefined && done !== undefined && this.repositories.isCurrent(state)) {
        packs.set(key, { data: Buffer.concat(kept, keptBytes), stats: done }, keptBytes)
      }
    } finally {
      if (kept !== undefined) stopKeeping()
    }
  }
}

function packKey(state: RepositoryState, request: PackRequest): string {
  const digest = createHash('sha1')
    .update(
      JSON.stringify([
        state.fingerprint,
        [...request.wants].sort(),
        [...request.common].sort(),
        request.includeTag,
        request.ofsDelta,
      ]),
    )
    .digest('hex')
  return `${state.gitdir}\0${digest}`
}
