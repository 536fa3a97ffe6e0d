import { stat } from 'node:fs/promises'

import { looseObjectPath } from '../git/loose-objects.js'
import {
  type DeltaSearchOptions,
  type FoundDelta,
  searchDeltas,
  type SearchObject,
  searchOrder,
} from './delta-search.js'
import { LOOSE_STREAM_BYTES } from './loose-stream.js'
import type { ObjectStore } from './object-store.js'
import type { PlannedObject } from './object-walk.js'
import { treeEntries } from './parse-objects.js'
import { OBJ_OFS_DELTA } from './type-codes.js'

/** Contents kept between the first read and the search; past this, objects are read again. */
const KEEP_BYTES = 64 * 1024 * 1024
const READ_BATCH = 32

export interface DeltaPlan {
  /** Every object, bases before the deltas made on them. */
  order: PlannedObject[]
  deltas: Map<string, FoundDelta>
}

/**
 * Decides which objects of a pack go in as new deltas. An object stored as a delta on a base
 * that goes into the pack too keeps its stored delta (the writer copies it); big loose files are
 * streamed whole; everything else is read, sized and searched.
 */
export async function planDeltas(
  store: ObjectStore,
  objects: PlannedObject[],
  options: DeltaSearchOptions,
): Promise<DeltaPlan> {
  const inPack = new Set(objects.map((object) => object.oid))
  const skip = new Set<string>()
  const kept = new Map<string, Buffer>()
  let keptBytes = 0
  const sized: SearchObject[] = []
  const names = new Map<string, string>()
  for (let i = 0; i < objects.length; i += READ_BATCH) {
    const batch = objects.slice(i, i + READ_BATCH)
    const read = await Promise.all(
      batch.map(async (object) => {
        if (await keepsStoredForm(store, object.oid, inPack, options.maxObjectBytes, options.reusePacked))
          return undefined
        const found = await store.read(object.oid)
        if (keptBytes + found.content.length <= KEEP_BYTES) {
          kept.set(object.oid, found.content)
          keptBytes += found.content.length
        }
        if (found.type === 'tree') {
          for (const entry of treeEntries(found, object.oid))
            if (!names.has(entry.oid)) names.set(entry.oid, entry.name)
        }
        return found
      }),
    )
    batch.forEach((object, index) => {
      const found = read[index]
      if (found === undefined) skip.add(object.oid)
      // The object's own type wins over the planned one: a repack plans objects it has not read.
      sized.push({ ...object, type: found?.type ?? object.type, size: found?.content.length ?? 0 })
    })
  }
  for (const object of sized) {
    if (object.name === undefined) {
      const name = names.get(object.oid)
      if (name !== undefined) object.name = name
    }
  }
  const order = searchOrder(sized)
  const read = async (object: SearchObject): Promise<Buffer> => {
    const content = kept.get(object.oid)
    if (content === undefined) return (await store.read(object.oid)).content
    kept.delete(object.oid)
    return content
  }
  const deltas = await searchDeltas(order, read, skip, options)
  return { order: order.map(({ size: _size, ...object }) => object), deltas }
}

/** Whether an object is better written as it is stored: a reusable stored delta, or too big to search. */
async function keepsStoredForm(
  store: ObjectStore,
  oid: string,
  inPack: ReadonlySet<string>,
  maxObjectBytes: number,
  reusePacked = false,
): Promise<boolean> {
  const location = await store.locate(oid)
  if (location?.kind === 'loose') {
    const size = await stat(looseObjectPath(store.gitdir, oid)).then(
      (info) => info.size,
      () => 0,
    )
    return size > LOOSE_STREAM_BYTES
  }
  if (location?.kind !== 'packed') return false
  const header = await location.pack.readHeader(location.offset)
  if (header.typeCode < OBJ_OFS_DELTA) return reusePacked || header.size > maxObjectBytes
  const baseOid = header.baseOid ?? location.pack.index.oidAtOffset(header.baseOffset ?? -1)
  if (baseOid === undefined || !inPack.has(baseOid)) return false
  const baseLocation = await store.locate(baseOid)
  return baseLocation?.kind === 'packed' && baseLocation.pack === location.pack
}
