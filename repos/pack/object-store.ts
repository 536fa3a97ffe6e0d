import { access, readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'

import { corruptRepository, objectNotFound } from '../errors.js'
import { looseObjectPath, readLooseObject } from '../git/loose-objects.js'
import type { GitObject } from '../git/object-types.js'
import { inflate } from '../git/zlib.js'
import { applyDelta } from './apply-delta.js'
import type { ByteLru } from './byte-lru.js'
import { type PackEntryHeader, PackFile } from './pack-file.js'
import { PackIndex } from './pack-index.js'
import { OBJ_OFS_DELTA, objectTypeForCode } from './type-codes.js'

export type ObjectLocation = { kind: 'loose' } | { kind: 'packed'; pack: PackFile; offset: number }

/** Delta chains longer than this are refused rather than followed (git's own limit is lower). */
const MAX_DELTA_CHAIN = 10_000

/** Names of the packs in a repository, sorted: part of the key that says whether caches still hold. */
export async function listPackNames(gitdir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(path.join(gitdir, 'objects', 'pack'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const packs = new Set(names.filter((name) => name.endsWith('.pack')).map((name) => name.slice(0, -5)))
  return names
    .filter((name) => name.endsWith('.idx') && packs.has(name.slice(0, -4)))
    .map((name) => name.slice(0, -4))
    .sort()
}

/**
 * Reads one repository's objects, loose or packed, with no `git` binary. Parsed objects are kept
 * in a shared byte-bounded cache: they are named by their content hash, so they never go stale.
 * Pack files are opened once and closed when the store is retired and no request still uses it.
 */
export class ObjectStore {
  readonly #cache: ByteLru<GitObject>
  readonly #cachePrefix: string
  #users = 0
  #retired = false

  readonly #packs: PackFile[]
  readonly #packBlocks: ByteLru<Buffer>
  #refreshing: Promise<boolean> | undefined

  private constructor(
    readonly gitdir: string,
    packs: PackFile[],
    cache: ByteLru<GitObject>,
    packBlocks: ByteLru<Buffer>,
  ) {
    this.#packs = packs
    this.#cache = cache
    this.#packBlocks = packBlocks
    this.#cachePrefix = `${gitdir}\0`
  }

  /** The packs read, in the order they are searched; grows when a repack adds one under a reader. */
  get packs(): readonly PackFile[] {
    return this.#packs
  }

  static async open(
    gitdir: string,
    packNames: string[],
    cache: ByteLru<GitObject>,
    packBlocks: ByteLru<Buffer>,
  ): Promise<ObjectStore> {
    return new ObjectStore(gitdir, await openPacks(gitdir, packNames, packBlocks), cache, packBlocks)
  }

  /** Marks a request as using the store, so that retiring it does not close files under it. */
  retain(): void {
    this.#users++
  }

  release(): void {
    this.#users--
    if (this.#retired && this.#users === 0) void this.#closePacks()
  }

  /** The repository's packs changed: close files as soon as the last user is done. */
  retire(): void {
    this.#retired = true
    if (this.#users === 0) void this.#closePacks()
  }

  async locate(oid: string): Promise<ObjectLocation | undefined> {
    const key = Buffer.from(oid, 'hex')
    for (const pack of this.#packs) {
      const position = pack.index.find(key)
      if (position >= 0) return { kind: 'packed', pack, offset: pack.index.offsetAt(position) }
    }
    try {
      await access(looseObjectPath(this.gitdir, oid))
      return { kind: 'loose' }
    } catch {
      return undefined
    }
  }

  /**
   * Reads an object. Trees, commits and tags are cached (walks read them again and again); blobs
   * only when `keep` says so, e.g. as delta bases, so that big files do not flush the cache.
   */
  async read(oid: string, keep = false): Promise<GitObject> {
    const cached = this.#cache.get(this.#cachePrefix + oid)
    if (cached !== undefined) return cached
    let object = await this.#readOnce(oid)
    // A repack may have moved the object from its loose file into a pack this store has not seen.
    if (object === undefined && (await this.refresh())) object = await this.#readOnce(oid)
    if (object === undefined) throw objectNotFound(oid)
    if (keep || object.type !== 'blob') this.#remember(oid, object)
    return object
  }

  async #readOnce(oid: string): Promise<GitObject | undefined> {
    const location = await this.locate(oid)
    if (location === undefined) return undefined
    if (location.kind === 'packed') return await this.readPacked(location.pack, location.offset)
    return await readLooseObject(this.gitdir, oid)
  }

  /**
   * Opens the packs that appeared since the store was opened; true when there were any. Packs a
   * repack removed stay readable here: their files were opened before they were unlinked.
   */
  async refresh(): Promise<boolean> {
    this.#refreshing ??= (async () => {
      try {
        const known = new Set(this.#packs.map((pack) => pack.index.name))
        const fresh = (await listPackNames(this.gitdir)).filter((name) => !known.has(name))
        if (fresh.length === 0) return false
        this.#packs.unshift(...(await openPacks(this.gitdir, fresh, this.#packBlocks)))
        if (this.#retired && this.#users === 0) void this.#closePacks()
        return true
      } finally {
        this.#refreshing = undefined
      }
    })()
    return await this.#refreshing
  }

  /** Reads the object at a pack offset, following its delta chain down to a whole object. */
  async readPacked(pack: PackFile, offset: number): Promise<GitObject> {
    const chain: PackEntryHeader[] = []
    let header = await pack.readHeader(offset)
    let base: GitObject | undefined
    while (header.typeCode >= OBJ_OFS_DELTA) {
      chain.push(header)
      if (chain.length > MAX_DELTA_CHAIN) throw corruptRepository(`${pack.path}: delta chain too long`)
      if (header.baseOid !== undefined) {
        base = await this.read(header.baseOid, true)
        break
      }
      const baseOffset = header.baseOffset ?? 0
      const baseOid = pack.index.oidAtOffset(baseOffset)
      const cached = baseOid === undefined ? undefined : this.#cache.get(this.#cachePrefix + baseOid)
      if (cached !== undefined) {
        base = cached
        break
      }
      header = await pack.readHeader(baseOffset)
    }
    if (base === undefined) {
      const type = objectTypeForCode(header.typeCode)
      if (type === undefined) throw corruptRepository(`${pack.path}: bad entry at ${header.offset}`)
      base = { type, content: await this.inflateEntry(pack, header) }
      if (chain.length > 0) this.#rememberAt(pack, header.offset, base)
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const delta = chain[i] as PackEntryHeader
      base = { type: base.type, content: applyDelta(base.content, await this.inflateEntry(pack, delta)) }
      // Intermediate results are the bases of the later links; keep them for the next reader.
      if (i > 0) this.#rememberAt(pack, delta.offset, base)
    }
    return base
  }

  /** The inflated bytes of one entry (an object, or a delta's instructions). */
  async inflateEntry(pack: PackFile, header: PackEntryHeader): Promise<Buffer> {
    const data = await pack.readRange(header.dataStart, header.end)
    let content: Buffer
    try {
      content = await inflate(data, header.size)
    } catch {
      throw corruptRepository(`${pack.path}: entry at ${header.offset} does not inflate`)
    }
    if (content.length !== header.size) {
      throw corruptRepository(`${pack.path}: entry at ${header.offset} has the wrong size`)
    }
    return content
  }

  #rememberAt(pack: PackFile, offset: number, object: GitObject): void {
    const oid = pack.index.oidAtOffset(offset)
    if (oid !== undefined) this.#remember(oid, object)
  }

  #remember(oid: string, object: GitObject): void {
    this.#cache.set(this.#cachePrefix + oid, object, object.content.length + 128)
  }

  async #closePacks(): Promise<void> {
    await Promise.all(
      this.#packs.map(async (pack) => {
        await pack.close()
      }),
    )
  }
}

/** Attempts at opening a set of packs while a repack replaces them under the reader. */
const OPEN_ATTEMPTS = 5

/**
 * Opens packs with their files held from the start, so that a repack deleting one later cannot
 * take it from under a reader. A pack deleted between the listing and the open was replaced by
 * one that holds all its objects: list again and retry.
 */
async function openPacks(gitdir: string, packNames: string[], packBlocks: ByteLru<Buffer>): Promise<PackFile[]> {
  const packDir = path.join(gitdir, 'objects', 'pack')
  let names = packNames
  for (let attempt = 1; ; attempt++) {
    const opened = await Promise.allSettled(
      names.map(async (name) => {
        const packPath = path.join(packDir, `${name}.pack`)
        const [idx, info] = await Promise.all([readFile(path.join(packDir, `${name}.idx`)), stat(packPath)])
        const pack = new PackFile(packPath, new PackIndex(idx, info.size, name), info.size, packBlocks)
        await pack.openNow()
        return pack
      }),
    )
    const packs = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    const failure = opened.find((result) => result.status === 'rejected')
    if (failure === undefined) return packs
    await Promise.all(packs.map(async (pack) => await pack.close()))
    const code = (failure.reason as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' || attempt >= OPEN_ATTEMPTS) throw failure.reason
    names = await listPackNames(gitdir)
  }
}
