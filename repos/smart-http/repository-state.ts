import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'

import { hasErrorCode, repositoryNotFound } from '../errors.js'
import { listPackNames, ObjectStore } from '../pack/object-store.js'
import { tagTarget } from '../pack/parse-objects.js'
import { forgetRefDependentEntries, type GitCaches } from './caches.js'
import { type RawRefs, readRawRefs } from './read-refs.js'

export interface AdvertisedRef {
  name: string
  oid: string
  /** What an annotated tag finally points at (the `^{}` line). */
  peeled?: string
}

/** One consistent view of a repository: its public refs and an object reader for its packs. */
export interface RepositoryState {
  gitdir: string
  /** Changes whenever a public ref, HEAD or the set of packs changes. */
  fingerprint: string
  /** The pack names the store was opened with. */
  packKey: string
  headTarget?: string
  /** HEAD's oid when it resolves (an unborn `main` leaves it undefined). */
  headOid?: string
  /** Public refs in git's byte order. */
  refs: AdvertisedRef[]
  store: ObjectStore
}

/** A state in use by one request; `release` lets the store close its files once it is replaced. */
export interface RepositoryLease {
  state: RepositoryState
  release: () => void
}

/** Repositories whose state is kept between requests; the oldest are let go beyond this. */
const MAX_OPEN_REPOSITORIES = 128

/**
 * The repositories a git server has open: per repository, the latest state (or the build of it)
 * and the fingerprint it stands for, with their pack files held open between requests.
 */
export class OpenRepositories {
  readonly #states = new Map<string, { fingerprint: string; state: Promise<RepositoryState> }>()

  constructor(readonly caches: GitCaches) {}

  /**
   * Returns the repository's current state, reusing the previous one while nothing changed. The
   * check is cheap (reading a few small ref files) and runs on every request, so a new version tag
   * or a deleted one is seen at once.
   */
  async open(gitdir: string): Promise<RepositoryLease> {
    let raw: RawRefs
    let packNames: string[]
    try {
      ;[raw, packNames] = await readRepositoryFiles(gitdir)
    } catch (error) {
      // A deleted repository: let go of its open pack files so that their space is freed.
      if (hasErrorCode(error, 'NOT_FOUND')) this.forget(gitdir)
      throw error
    }
    const fingerprint = createHash('sha1')
      .update(JSON.stringify([raw.headTarget ?? null, raw.headOid ?? null, [...raw.refs].sort(), packNames]))
      .digest('hex')
    let entry = this.#states.get(gitdir)
    if (entry?.fingerprint !== fingerprint) {
      const previous = entry?.state
      const next = { fingerprint, state: this.#build(gitdir, fingerprint, raw, packNames, previous) }
      entry = next
      this.#states.set(gitdir, next)
      next.state.catch(() => {
        if (this.#states.get(gitdir) === next) this.#states.delete(gitdir)
      })
      this.#evictOld()
    }
    // Keep the map in least-recently-used order.
    this.#states.delete(gitdir)
    this.#states.set(gitdir, entry)
    const state = await entry.state
    state.store.retain()
    let released = false
    return {
      state,
      release: () => {
        if (released) return
        released = true
        state.store.release()
      },
    }
  }

  /**
   * Whether a state is still the repository's latest. Work that finishes after a ref change must
   * not put its results into the caches, which were cleared for the new refs.
   */
  isCurrent(state: RepositoryState): boolean {
    return this.#states.get(state.gitdir)?.fingerprint === state.fingerprint
  }

  /** Forgets a repository (e.g. when it is deleted), closing its files once no request uses them. */
  forget(gitdir: string): void {
    const entry = this.#states.get(gitdir)
    this.#states.delete(gitdir)
    forgetRefDependentEntries(this.caches, gitdir)
    entry?.state.then(
      (old) => {
        old.store.retire()
      },
      () => {},
    )
  }

  async #build(
    gitdir: string,
    fingerprint: string,
    raw: RawRefs,
    packNames: string[],
    previousBuild: Promise<RepositoryState> | undefined,
  ): Promise<RepositoryState> {
    forgetRefDependentEntries(this.caches, gitdir)
    return await buildState(gitdir, fingerprint, raw, packNames, previousBuild, this.caches)
  }

  #evictOld(): void {
    for (const [gitdir, entry] of this.#states) {
      if (this.#states.size <= MAX_OPEN_REPOSITORIES) break
      this.#states.delete(gitdir)
      entry.state.then(
        (old) => {
          old.store.retire()
        },
        () => {},
      )
    }
  }
}

async function readRepositoryFiles(gitdir: string): Promise<[RawRefs, string[]]> {
  try {
    if (!(await stat(gitdir)).isDirectory()) throw repositoryNotFound()
    return await Promise.all([readRawRefs(gitdir), listPackNames(gitdir)])
  } catch (error) {
    if (hasErrorCode(error, 'NOT_FOUND')) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw repositoryNotFound()
    throw error
  }
}

async function buildState(
  gitdir: string,
  fingerprint: string,
  raw: RawRefs,
  packNames: string[],
  previousBuild: Promise<RepositoryState> | undefined,
  caches: GitCaches,
): Promise<RepositoryState> {
  const previous = await previousBuild?.catch(() => undefined)
  const packKey = packNames.join('\n')
  // Refs move far more often than packs: keep the open packs unless the set of packs changed.
  const store =
    previous?.packKey === packKey
      ? previous.store
      : await ObjectStore.open(gitdir, packNames, caches.objects, caches.packBlocks)
  if (previous !== undefined && previous.store !== store) previous.store.retire()
  const sorted = [...raw.refs].sort(([a], [b]) => compareBytes(a, b))
  // Tag objects are read all at once: one version tag per ref, each a small file to open.
  const peeledRefs = await Promise.all(
    sorted.map(async ([name, oid]): Promise<AdvertisedRef | undefined> => {
      try {
        const peeled = await peel(store, oid)
        return peeled === oid ? { name, oid } : { name, oid, peeled }
      } catch (error) {
        // A ref to a missing object (a write still in progress) is left out rather than failing.
        if (hasErrorCode(error, 'GIT_OBJECT_NOT_FOUND')) return undefined
        throw error
      }
    }),
  )
  const refs = peeledRefs.filter((ref): ref is AdvertisedRef => ref !== undefined)
  const headOid = raw.headOid ?? refs.find((ref) => ref.name === raw.headTarget)?.oid
  return {
    gitdir,
    fingerprint,
    packKey,
    ...(raw.headTarget === undefined ? {} : { headTarget: raw.headTarget }),
    ...(headOid === undefined ? {} : { headOid }),
    refs,
    store,
  }
}

/** Follows annotated tags down to the object they finally name. */
export async function peel(store: ObjectStore, oid: string): Promise<string> {
  let current = oid
  for (let depth = 0; depth < 16; depth++) {
    const object = await store.read(current)
    if (object.type !== 'tag') return current
    current = tagTarget(object, current).object
  }
  return current
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
