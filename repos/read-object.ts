import { objectNotFound } from './errors.js'
import { readLooseObject } from './git/loose-objects.js'
import type { GitObject } from './git/object-types.js'
import { ByteLru } from './pack/byte-lru.js'
import { listPackNames, ObjectStore } from './pack/object-store.js'

/** Enough for the delta bases and pack blocks of one object's chain; dropped with the store after the read. */
const ONE_READ_CACHE_BYTES = 16 * 1024 * 1024

/**
 * Reads one object for the write and admin side (downloads, fsck, inspect): loose first, as
 * tagstone writes them, else from the packs an operator's `git gc` made, through a store opened
 * for this read alone. The git server keeps its stores open instead.
 */
export async function readObject(gitdir: string, oid: string): Promise<GitObject> {
  const loose = await readLooseObject(gitdir, oid)
  if (loose !== undefined) return loose
  const packNames = await listPackNames(gitdir)
  if (packNames.length === 0) throw objectNotFound(oid)
  const store = await ObjectStore.open(
    gitdir,
    packNames,
    new ByteLru(ONE_READ_CACHE_BYTES),
    new ByteLru(ONE_READ_CACHE_BYTES),
  )
  try {
    return await store.read(oid)
  } finally {
    store.retire()
  }
}
