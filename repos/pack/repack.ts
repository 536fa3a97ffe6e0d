import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'

import { syncDirectories, syncDirectory } from '../durable-fs.js'
import { corruptRepository } from '../errors.js'
import { hashObject } from '../git/loose-objects.js'
import { isOid } from '../git/object-types.js'
import { ByteLru } from './byte-lru.js'
import { DEFAULT_DELTA_SEARCH, type DeltaSearchOptions } from './delta-search.js'
import { listPackNames, ObjectStore } from './object-store.js'
import type { PlannedObject } from './object-walk.js'
import { type IndexEntry, writePackIndex } from './pack-index-writer.js'
import { writePack } from './pack-writer.js'

export interface RepackOptions {
  /**
   * Every object into one new pack, the old packs removed (`git gc`); otherwise only the loose
   * objects into a pack of their own, unless the repository already has `maxPacks` packs.
   */
  all: boolean
  maxPacks?: number
  deltaSearch?: DeltaSearchOptions
  /**
   * Runs the removal of what the new pack covers, the one step that changes what a writer of the
   * repository may find: the engine passes its function lock here.
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>
}

export interface RepackResult {
  /** `busy`: another repack of this repository is running (its `gc.pid` names a live process). */
  status: 'packed' | 'nothing-to-do' | 'busy'
  objects: number
  deltas: number
  /** Size of the new pack file. */
  packBytes: number
  looseRemoved: number
  packsRemoved: number
}

/** An incremental repack turns into a whole one when this many packs would exist. */
export const DEFAULT_MAX_PACKS = 8
/** Caches of the repack's own store: a few delta chains' worth, dropped with it. */
const STORE_CACHE_BYTES = 32 * 1024 * 1024
/** The pack is read back for the CRCs of its entries in slices of this size. */
const READ_SLICE = 1024 * 1024
/** Git's lock file for a gc in progress (`pid hostname`); real `git gc` respects it too. */
const LOCK_FILE = 'gc.pid'
const HOST = hostname()

const NOTHING: RepackResult = {
  status: 'nothing-to-do',
  objects: 0,
  deltas: 0,
  packBytes: 0,
  looseRemoved: 0,
  packsRemoved: 0,
}

/**
 * Packs a repository's objects with a delta search, safely beside readers and writers and
 * against a crash at any point: the pack and its index are written under temporary names, synced,
 * read back and checked object by object, renamed into `objects/pack` (the pack first; readers
 * list a pack only once its index is there) and the folder synced; only then are the loose
 * objects and old packs it covers removed. Nothing is ever removed that the new pack does not
 * hold, so unreachable objects (an upload not yet published) are packed, never lost.
 */
export async function repack(gitdir: string, options: RepackOptions): Promise<RepackResult> {
  const unlock = await lockRepository(gitdir)
  if (unlock === undefined) return { ...NOTHING, status: 'busy' }
  try {
    await sweepLeftovers(gitdir)
    return await repackLocked(gitdir, options)
  } finally {
    await unlock()
  }
}

async function repackLocked(gitdir: string, options: RepackOptions): Promise<RepackResult> {
  const packDir = path.join(gitdir, 'objects', 'pack')
  const loose = await listLooseObjects(gitdir)
  const packNames = await listPackNames(gitdir)
  const all = options.all || packNames.length + 1 > (options.maxPacks ?? DEFAULT_MAX_PACKS)
  if (loose.length === 0 && (!all || packNames.length <= 1)) return NOTHING
  const store = await ObjectStore.open(
    gitdir,
    packNames,
    new ByteLru(STORE_CACHE_BYTES),
    new ByteLru(STORE_CACHE_BYTES),
  )
  try {
    const oids = new Set(loose)
    if (all) {
      for (const pack of store.packs) for (let i = 0; i < pack.index.count; i++) oids.add(pack.index.oidAt(i))
    }
    // The type is learnt from each object as the delta search reads it.
    const objects: PlannedObject[] = [...oids].map((oid) => ({ oid, type: 'blob' }))
    const written = await writePackFile(store, objects, options.deltaSearch ?? DEFAULT_DELTA_SEARCH, packDir)
    const covered = new Set(written.entries.map((entry) => entry.oid))
    const oldPacks = all ? packNames.filter((name) => name !== written.name) : []
    const remove = async (): Promise<number> => {
      const removed = await removeLooseObjects(
        gitdir,
        loose.filter((oid) => covered.has(oid)),
      )
      for (const name of oldPacks) {
        // The index first: a lister never sees an index whose pack is gone.
        await rm(path.join(packDir, `${name}.idx`), { force: true })
        await rm(path.join(packDir, `${name}.pack`), { force: true })
      }
      if (oldPacks.length > 0) await syncDirectory(packDir)
      return removed
    }
    const looseRemoved = await (options.exclusive ? options.exclusive(remove) : remove())
    return {
      status: 'packed',
      objects: written.entries.length,
      deltas: written.deltas,
      packBytes: written.bytes,
      looseRemoved,
      packsRemoved: oldPacks.length,
    }
  } finally {
    store.retire()
  }
}

interface WrittenPack {
  name: string
  entries: IndexEntry[]
  deltas: number
  bytes: number
}

async function writePackFile(
  store: ObjectStore,
  objects: PlannedObject[],
  deltaSearch: DeltaSearchOptions,
  packDir: string,
): Promise<WrittenPack> {
  const suffix = randomBytes(6).toString('hex')
  const tmpPack = path.join(packDir, `tmp_pack_${suffix}`)
  const tmpIdx = path.join(packDir, `tmp_idx_${suffix}`)
  const offsets: Array<{ oid: string; offset: number }> = []
  let deltas = 0
  let bytes = 0
  const handle = await open(tmpPack, 'wx', 0o444)
  let trailer: Buffer | undefined
  try {
    for await (const chunk of writePack(store, objects, {
      ofsDelta: true,
      deflatedCache: new ByteLru(0),
      cachePrefix: '',
      deltaSearch,
      level: zlib.constants.Z_DEFAULT_COMPRESSION,
      onEntry: (oid, offset) => offsets.push({ oid, offset }),
      onDone: (stats) => {
        deltas = stats.deltas
        bytes = stats.bytes
      },
    })) {
      await handle.write(chunk)
      trailer = chunk
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (trailer === undefined || trailer.length !== 20) throw corruptRepository('pack writer ended without a checksum')
  const entries = await entryChecksums(tmpPack, offsets, bytes - 20)
  const handleIdx = await open(tmpIdx, 'wx', 0o444)
  try {
    await handleIdx.writeFile(writePackIndex(entries, trailer))
    await handleIdx.sync()
  } finally {
    await handleIdx.close()
  }
  const name = `pack-${trailer.toString('hex')}`
  await verifyPack(store.gitdir, tmpPack, tmpIdx, name, entries)
  await rename(tmpPack, path.join(packDir, `${name}.pack`))
  await rename(tmpIdx, path.join(packDir, `${name}.idx`))
  await syncDirectory(packDir)
  return { name, entries, deltas, bytes }
}

/** The CRC32 of each entry's bytes, read back from the written pack (the index carries them). */
async function entryChecksums(
  file: string,
  offsets: Array<{ oid: string; offset: number }>,
  dataEnd: number,
): Promise<IndexEntry[]> {
  const sorted = [...offsets].sort((a, b) => a.offset - b.offset)
  const handle = await open(file, 'r')
  try {
    const entries: IndexEntry[] = []
    for (let i = 0; i < sorted.length; i++) {
      const { oid, offset } = sorted[i] as { oid: string; offset: number }
      const end = sorted[i + 1]?.offset ?? dataEnd
      let crc = 0
      for (let at = offset; at < end; at += READ_SLICE) {
        const length = Math.min(READ_SLICE, end - at)
        const { buffer, bytesRead } = await handle.read(Buffer.allocUnsafe(length), 0, length, at)
        if (bytesRead !== length) throw corruptRepository(`${file}: short read`)
        crc = zlib.crc32(buffer, crc)
      }
      entries.push({ oid, offset, crc32: crc })
    }
    return entries
  } finally {
    await handle.close()
  }
}

/**
 * Reads every object back from the new pack and checks it hashes to its name, before anything it
 * replaces is removed: a fault in the writer then costs a wasted repack, never an object.
 */
async function verifyPack(
  gitdir: string,
  packFile: string,
  idxFile: string,
  name: string,
  entries: IndexEntry[],
): Promise<void> {
  const staging = path.join(path.dirname(packFile), `tmp_verify_${randomBytes(6).toString('hex')}`)
  const stagingPack = path.join(staging, 'objects', 'pack')
  await mkdir(stagingPack, { recursive: true })
  await link(packFile, path.join(stagingPack, `${name}.pack`))
  await link(idxFile, path.join(stagingPack, `${name}.idx`))
  const store = await ObjectStore.open(staging, [name], new ByteLru(STORE_CACHE_BYTES), new ByteLru(STORE_CACHE_BYTES))
  try {
    for (const entry of entries) {
      const object = await store.read(entry.oid)
      if (hashObject(object.type, object.content).oid !== entry.oid) {
        throw corruptRepository(`${gitdir}: repack wrote ${entry.oid} wrongly`)
      }
    }
  } finally {
    store.retire()
    await rm(staging, { recursive: true, force: true })
  }
}

/** Ids of the loose objects: the files of the 256 fan-out folders. */
export async function listLooseObjects(gitdir: string): Promise<string[]> {
  const objectsDir = path.join(gitdir, 'objects')
  const folders = (await readdir(objectsDir)).filter((name) => /^[0-9a-f]{2}$/.test(name))
  const lists = await Promise.all(
    folders.map(async (folder) =>
      (await readdir(path.join(objectsDir, folder)).catch(() => [] as string[]))
        .map((file) => folder + file)
        .filter(isOid),
    ),
  )
  return lists.flat()
}

/** Removes loose files the new pack holds, and the fan-out folders they leave empty. */
async function removeLooseObjects(gitdir: string, oids: string[]): Promise<number> {
  const objectsDir = path.join(gitdir, 'objects')
  const folders = new Set<string>()
  for (const oid of oids) {
    await unlink(path.join(objectsDir, oid.slice(0, 2), oid.slice(2))).catch(() => {})
    folders.add(oid.slice(0, 2))
  }
  const remaining: string[] = []
  for (const folder of folders) {
    // A folder a writer has just put an object into is not empty, and stays.
    const gone = await rmdir(path.join(objectsDir, folder)).then(
      () => true,
      () => false,
    )
    if (!gone) remaining.push(path.join(objectsDir, folder))
  }
  await syncDirectories([objectsDir, ...remaining])
  return oids.length
}

/**
 * The `gc.pid` files this process holds or is taking. One that names this process but is not here
 * was left by an earlier process that had the same pid (a container's server is pid 1 at every
 * start): it is stale, not a live repack.
 */
const held = new Set<string>()

/**
 * Takes `gc.pid` as git does: created exclusively with `pid host`; a lock whose process is gone
 * (a repack killed mid-way) is taken over. Returns the release, or undefined when a live repack
 * holds it (this process included).
 */
export async function lockRepository(gitdir: string): Promise<(() => Promise<void>) | undefined> {
  const lock = path.join(gitdir, LOCK_FILE)
  if (held.has(lock)) return undefined
  held.add(lock)
  try {
    const taken = await takeLock(lock)
    if (!taken) held.delete(lock)
    return taken
  } catch (error) {
    held.delete(lock)
    throw error
  }
}

async function takeLock(lock: string): Promise<(() => Promise<void>) | undefined> {
  const mine = `${process.pid} ${HOST}`
  const release = async (): Promise<void> => {
    if ((await readFile(lock, 'utf8').catch(() => '')) === mine) await rm(lock, { force: true })
    held.delete(lock)
  }
  try {
    const handle = await open(lock, 'wx')
    await handle.writeFile(mine)
    await handle.close()
    return release
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const [pid, host] = (await readFile(lock, 'utf8').catch(() => '')).trim().split(' ')
  const live = Number(pid) !== process.pid && isAlive(Number(pid))
  if (host === HOST && pid !== undefined && live) return undefined
  // Replace the stale lock in one step, then check nobody else replaced it at the same moment.
  const tmp = `${lock}.${randomBytes(6).toString('hex')}`
  await writeFile(tmp, mine, { flag: 'wx' })
  await rename(tmp, lock)
  return (await readFile(lock, 'utf8').catch(() => '')) === mine ? release : undefined
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** What a killed repack leaves: temporary files, and a pack renamed without its index. */
async function sweepLeftovers(gitdir: string): Promise<void> {
  const packDir = path.join(gitdir, 'objects', 'pack')
  const names = await readdir(packDir).catch(() => [] as string[])
  const indexed = new Set(names.filter((name) => name.endsWith('.idx')).map((name) => name.slice(0, -4)))
  const leftovers = names.filter(
    (name) =>
      name.startsWith('tmp_pack_') ||
      name.startsWith('tmp_idx_') ||
      name.startsWith('tmp_verify_') ||
      (name.endsWith('.pack') && !indexed.has(name.slice(0, -5))),
  )
  await Promise.all(leftovers.map(async (name) => await rm(path.join(packDir, name), { recursive: true, force: true })))
}
