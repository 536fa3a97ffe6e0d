import { createHash } from 'node:crypto'
import path from 'node:path'
import zlib from 'node:zlib'

import { stageFileDurably, syncDirectory } from '../durable-fs.js'
import { hashObject } from '../git/loose-objects.js'
import type { ObjectType } from '../git/object-types.js'
import { ObjectWriter } from '../git/object-writer.js'
import { deflate, PACK_COMPRESSION_LEVEL } from '../git/zlib.js'
import { entryHeader, packHeader } from './pack-entry.js'
import { writePackIndex } from './pack-index-writer.js'
import { lockRepository } from './repack.js'
import { PACK_TYPE_CODE } from './type-codes.js'

interface HeldObject {
  oid: string
  type: ObjectType
  content: Uint8Array
}

/**
 * The `ObjectWriter` of a big batch (an upload of many files): `add` hashes and holds the object,
 * and `flush()` writes them all as one pack with its index, which costs four fsyncs (the two files
 * at once, then their folder) where loose objects cost one each: a package of 2,000 files made
 * 2,047. No deltas: the background packer or `admin gc` finds those later, as it packs the
 * repository whole once it has `DEFAULT_MAX_PACKS` packs.
 *
 * The pack is placed under the repository's `gc.pid`, so that no repack (`admin gc` beside a
 * running server) sweeps it between its two renames; when a repack holds that lock, the objects are
 * written loose instead. As with loose objects, nothing names them until the caller moves a ref. A
 * crash leaves `tmp_pack_*` and `tmp_idx_*` files, or a pack without its index, which no reader
 * lists (`listPackNames` wants both); the next repack sweeps them, under the same lock.
 */
export class PackedObjectWriter {
  private readonly held = new Map<string, HeldObject>()

  constructor(private readonly gitdir: string) {}

  add(type: ObjectType, content: Uint8Array): string {
    const oid = hashObject(type, content).oid
    this.held.set(oid, { oid, type, content })
    return oid
  }

  async flush(): Promise<void> {
    const objects = [...this.held.values()]
    this.held.clear()
    if (objects.length === 0) return
    const unlock = await lockRepository(this.gitdir)
    if (unlock === undefined) return await writeLoose(this.gitdir, objects)
    try {
      await placePack(path.join(this.gitdir, 'objects', 'pack'), await packOf(objects))
    } finally {
      await unlock()
    }
  }
}

async function writeLoose(gitdir: string, objects: HeldObject[]): Promise<void> {
  const writer = new ObjectWriter(gitdir)
  for (const object of objects) writer.add(object.type, object.content)
  await writer.flush()
}

interface BuiltPack {
  pack: Buffer
  index: Buffer
  /** `pack-<checksum>`, git's name for it. */
  name: string
}

/** A version 2 pack of the objects, undeltified, and its version 2 index. */
async function packOf(objects: HeldObject[]): Promise<BuiltPack> {
  const header = packHeader(objects.length)
  const chunks = [header]
  const entries = []
  let offset = header.length
  for (const object of objects) {
    const entry = Buffer.concat([
      entryHeader(PACK_TYPE_CODE[object.type], object.content.length),
      await deflate(object.content, PACK_COMPRESSION_LEVEL),
    ])
    entries.push({ oid: object.oid, offset, crc32: zlib.crc32(entry) })
    chunks.push(entry)
    offset += entry.length
  }
  const body = Buffer.concat(chunks)
  const checksum = createHash('sha1').update(body).digest()
  return {
    pack: Buffer.concat([body, checksum]),
    index: writePackIndex(entries, checksum),
    name: `pack-${checksum.toString('hex')}`,
  }
}

/** Both files written and fsynced at once, renamed in (the index last: readers find packs by it), then their folder synced. */
async function placePack(packDir: string, built: BuiltPack): Promise<void> {
  const [placePackFile, placeIndex] = await Promise.all([
    stageFileDurably(path.join(packDir, `${built.name}.pack`), built.pack, { dir: packDir, prefix: 'tmp_pack_' }),
    stageFileDurably(path.join(packDir, `${built.name}.idx`), built.index, { dir: packDir, prefix: 'tmp_idx_' }),
  ])
  await placePackFile()
  await placeIndex()
  await syncDirectory(packDir)
}
