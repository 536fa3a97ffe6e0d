import { objectNotFound } from '../errors.js'
import { readPackedObject } from './isomorphic.js'
import { readLooseObject } from './loose-objects.js'
import type { GitObject } from './object-types.js'

/**
 * Reads one object, loose or packed, for the write and admin side (downloads, fsck, inspect).
 * The git server reads through its own long-lived `ObjectStore` instead, which keeps packs open.
 */
export async function readObject(gitdir: string, oid: string): Promise<GitObject> {
  const loose = await readLooseObject(gitdir, oid)
  if (loose !== undefined) return loose
  const packed = await readPackedObject(gitdir, oid)
  if (packed === undefined) throw objectNotFound(oid)
  return packed
}
