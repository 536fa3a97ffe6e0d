import { createHash } from 'node:crypto'

import { deflate, PACK_COMPRESSION_LEVEL } from '../git/zlib.js'
import type { ByteLru } from './byte-lru.js'
import { planDeltas } from './delta-plan.js'
import type { DeltaSearchOptions } from './delta-search.js'
import { streamLooseContent } from './loose-stream.js'
import type { ObjectStore } from './object-store.js'
import type { PlannedObject } from './object-walk.js'
import {
  type DeflatedEntry,
  deltaHeader,
  type EncodedEntry,
  encodeEntry,
  entryHeader,
  packHeader,
} from './pack-entry.js'

export interface PackWriteOptions {
  /** The client accepts deltas that name their base by distance (the ofs-delta capability). */
  ofsDelta: boolean
  deflatedCache: ByteLru<DeflatedEntry>
  cachePrefix: string
  /** Search for new deltas among the objects (those not already stored as reusable deltas). */
  deltaSearch?: DeltaSearchOptions
  /** zlib level of entries compressed afresh. */
  level?: number
  /** Called as each entry starts, with its offset in the pack: what an index is made of. */
  onEntry?: (oid: string, offset: number) => void
  /** Called once the pack is complete, with what went into it. */
  onDone?: (stats: PackStats) => void
}

export interface PackStats {
  objects: number
  reused: number
  deltas: number
  bytes: number
}

/** Entries encoded ahead of the one being written: lets zlib run on several cores at once. */
const ENCODE_AHEAD = 8
/** Encoded entries waiting their turn may hold at most this much; keeps memory flat. */
const AHEAD_BYTES = 16 * 1024 * 1024
/** Stored bytes are copied from existing packs in chunks of this size. */
const COPY_CHUNK = 1024 * 1024

/**
 * Streams a version 2 pack of the planned objects: "PACK", version, count, the entries, then
 * the SHA-1 of all of it. The consumer pulls chunks, so a slow client holds back the reading
 * and compressing instead of letting it pile up in memory.
 */
export async function* writePack(
  store: ObjectStore,
  objects: PlannedObject[],
  options: PackWriteOptions,
): AsyncGenerator<Buffer> {
  const level = options.level ?? PACK_COMPRESSION_LEVEL
  const plan = options.deltaSearch === undefined ? undefined : await planDeltas(store, objects, options.deltaSearch)
  if (plan !== undefined) objects = plan.order
  const hash = createHash('sha1')
  const inPack = new Set(objects.map((object) => object.oid))
  const written = new Map<string, number>()
  const stats: PackStats = { objects: objects.length, reused: 0, deltas: 0, bytes: 0 }
  let offset = 0
  const emit = (chunk: Buffer): Buffer => {
    hash.update(chunk)
    offset += chunk.length
    return chunk
  }

  const header = packHeader(objects.length)
  yield emit(header)

  const ahead = new EncodeAhead(objects, async (object) => {
    const found = plan?.deltas.get(object.oid)
    if (found === undefined) {
      return await encodeEntry(
        store,
        object.oid,
        object.type,
        inPack,
        options.deflatedCache,
        options.cachePrefix,
        level,
      )
    }
    return { kind: 'delta', baseOid: found.baseOid, size: found.delta.length, data: await deflate(found.delta, level) }
  })
  for (const object of objects) {
    const entry = await ahead.next()
    const entryOffset = offset
    options.onEntry?.(object.oid, entryOffset)
    if (entry.kind === 'deflated') {
      yield emit(Buffer.concat([entryHeader(entry.typeCode, entry.size), entry.data]))
    } else if (entry.kind === 'delta') {
      stats.deltas++
      const baseOffset = options.ofsDelta ? written.get(entry.baseOid) : undefined
      yield emit(Buffer.concat([deltaHeader(entry.size, entryOffset, baseOffset, entry.baseOid), entry.data]))
    } else if (entry.kind === 'loose-stream') {
      yield emit(entryHeader(entry.typeCode, entry.size))
      for await (const chunk of streamLooseContent(entry.file, entry.header, object.oid)) yield emit(chunk)
    } else {
      stats.reused++
      if (entry.kind === 'stored') {
        yield emit(entryHeader(entry.typeCode, entry.size))
      } else {
        stats.deltas++
        const baseOffset = options.ofsDelta ? written.get(entry.baseOid) : undefined
        yield emit(deltaHeader(entry.size, entryOffset, baseOffset, entry.baseOid))
      }
      for (let start = entry.start; start < entry.end; start += COPY_CHUNK) {
        yield emit(await entry.pack.readRange(start, Math.min(entry.end, start + COPY_CHUNK)))
      }
    }
    written.set(object.oid, entryOffset)
  }
  const trailer = hash.digest()
  offset += trailer.length
  yield trailer
  stats.bytes = offset
  options.onDone?.(stats)
}

/** Runs the encoder a few entries ahead of the writer, handing results back in order. */
class EncodeAhead {
  readonly #queue: Array<{ entry: Promise<EncodedEntry>; size: { bytes: number } }> = []
  #nextToStart = 0
  #bufferedBytes = 0

  constructor(
    readonly objects: PlannedObject[],
    readonly encode: (object: PlannedObject) => Promise<EncodedEntry>,
  ) {}

  async next(): Promise<EncodedEntry> {
    this.#fill()
    const slot = this.#queue.shift()
    if (slot === undefined) throw new Error('pack writer ran past its plan')
    const entry = await slot.entry
    this.#bufferedBytes -= slot.size.bytes
    this.#fill()
    return entry
  }

  #fill(): void {
    while (
      this.#nextToStart < this.objects.length &&
      this.#queue.length < ENCODE_AHEAD &&
      (this.#queue.length === 0 || this.#bufferedBytes < AHEAD_BYTES)
    ) {
      const object = this.objects[this.#nextToStart++] as PlannedObject
      const size = { bytes: 0 }
      const entry = this.encode(object).then((encoded) => {
        size.bytes = encoded.kind === 'deflated' || encoded.kind === 'delta' ? encoded.data.length : 0
        this.#bufferedBytes += size.bytes
        return encoded
      })
      // A failure surfaces when the writer reaches this entry; until then, keep it quiet.
      entry.catch(() => {})
      this.#queue.push({ entry, size })
    }
  }
}
