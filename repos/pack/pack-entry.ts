import { stat } from 'node:fs/promises'

import { looseObjectPath, type ObjectHeader, readLooseHeader } from '../git/loose-objects.js'
import type { ObjectType } from '../git/object-types.js'
import { deflate, PACK_COMPRESSION_LEVEL } from '../git/zlib.js'
import type { ByteLru } from './byte-lru.js'
import { LOOSE_STREAM_BYTES } from './loose-stream.js'
import type { ObjectStore } from './object-store.js'
import type { PackFile } from './pack-file.js'
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, PACK_TYPE_CODE } from './type-codes.js'

/**
 * One object ready to be written into a pack. Stored bytes of an existing pack are referenced,
 * not copied, so they can be streamed when their turn comes.
 */
export type EncodedEntry =
  | { kind: 'deflated'; typeCode: number; size: number; data: Buffer }
  | { kind: 'delta'; baseOid: string; size: number; data: Buffer }
  | { kind: 'stored'; typeCode: number; size: number; pack: PackFile; start: number; end: number }
  | { kind: 'stored-delta'; baseOid: string; size: number; pack: PackFile; start: number; end: number }
  | { kind: 'loose-stream'; typeCode: number; size: number; file: string; header: ObjectHeader }

export type DeflatedEntry = Extract<EncodedEntry, { kind: 'deflated' }>

/**
 * Chooses the cheapest correct encoding of an object:
 * - a big loose file: recompress it as a stream when its turn comes;
 * - stored whole in a pack: copy its compressed bytes as they are;
 * - stored as a delta whose base (from the same pack, so chains stay acyclic) is also being
 *   sent: copy the delta;
 * - otherwise (loose, or a delta on something the client will not get): compress it afresh,
 *   through `deflatedCache`, since the same object is packed again for every clone.
 */
export async function encodeEntry(
  store: ObjectStore,
  oid: string,
  type: ObjectType,
  inPack: ReadonlySet<string>,
  deflatedCache: ByteLru<DeflatedEntry>,
  cachePrefix: string,
  level: number = PACK_COMPRESSION_LEVEL,
): Promise<EncodedEntry> {
  const cached = deflatedCache.get(cachePrefix + oid)
  if (cached !== undefined) return cached
  const location = await store.locate(oid)
  if (location?.kind === 'loose') {
    // A big loose file is recompressed while it is written out, never held whole.
    const file = looseObjectPath(store.gitdir, oid)
    // Gone means a repack moved it into a pack since: the read below finds it there.
    const size = await stat(file).then(
      (info) => info.size,
      () => 0,
    )
    if (size > LOOSE_STREAM_BYTES) {
      const header = await readLooseHeader(file, oid)
      return { kind: 'loose-stream', typeCode: PACK_TYPE_CODE[header.type], size: header.size, file, header }
    }
  }
  if (location?.kind === 'packed') {
    const { pack, offset } = location
    const header = await pack.readHeader(offset)
    if (header.typeCode < OBJ_OFS_DELTA) {
      return {
        kind: 'stored',
        typeCode: header.typeCode,
        size: header.size,
        pack,
        start: header.dataStart,
        end: header.end,
      }
    }
    const baseOid = header.baseOid ?? pack.index.oidAtOffset(header.baseOffset ?? -1)
    if (baseOid !== undefined && inPack.has(baseOid)) {
      const baseLocation = await store.locate(baseOid)
      if (baseLocation?.kind === 'packed' && baseLocation.pack === pack) {
        return { kind: 'stored-delta', baseOid, size: header.size, pack, start: header.dataStart, end: header.end }
      }
    }
  }
  const object = await store.read(oid)
  if (object.type !== type) {
    // The walk learnt the type from the object that named this one; trust the object itself.
    type = object.type
  }
  const entry: DeflatedEntry = {
    kind: 'deflated',
    typeCode: PACK_TYPE_CODE[type],
    size: object.content.length,
    data: await deflate(object.content, level),
  }
  deflatedCache.set(cachePrefix + oid, entry, entry.data.length + 96)
  return entry
}

/** The 12 bytes a version 2 pack starts with: "PACK", the version, the number of entries. */
export function packHeader(count: number): Buffer {
  const header = Buffer.alloc(12)
  header.write('PACK', 0, 'latin1')
  header.writeUInt32BE(2, 4)
  header.writeUInt32BE(count, 8)
  return header
}

/** The type-and-size header in front of every pack entry. */
export function entryHeader(typeCode: number, size: number): Buffer {
  const bytes: number[] = []
  let byte = (typeCode << 4) | (size & 0x0f)
  let rest = Math.floor(size / 16)
  while (rest > 0) {
    bytes.push(byte | 0x80)
    byte = rest & 0x7f
    rest = Math.floor(rest / 128)
  }
  bytes.push(byte)
  return Buffer.from(bytes)
}

/** The header of a reused delta: by distance to a base already written, else by the base's name. */
export function deltaHeader(
  size: number,
  entryOffset: number,
  baseOffset: number | undefined,
  baseOid: string,
): Buffer {
  if (baseOffset === undefined) {
    return Buffer.concat([entryHeader(OBJ_REF_DELTA, size), Buffer.from(baseOid, 'hex')])
  }
  let distance = entryOffset - baseOffset
  const bytes = [distance & 0x7f]
  distance = Math.floor(distance / 128)
  while (distance > 0) {
    distance -= 1
    bytes.unshift(0x80 | (distance & 0x7f))
    distance = Math.floor(distance / 128)
  }
  return Buffer.concat([entryHeader(OBJ_OFS_DELTA, size), Buffer.from(bytes)])
}
