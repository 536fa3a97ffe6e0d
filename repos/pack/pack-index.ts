import { corruptRepository } from '../errors.js'

const IDX_MAGIC = 0xff744f63
const FANOUT_BYTES = 256 * 4

/**
 * A version 2 pack index (`pack-*.idx`), kept as the file's bytes and searched in place, plus an
 * offset-sorted view so that an entry's end (the next entry's start) and the object at a given
 * offset (the base of an ofs-delta) are found by binary search.
 */
export class PackIndex {
  readonly count: number
  readonly #idx: Buffer
  readonly #namesAt: number
  readonly #offsetsAt: number
  readonly #largeOffsetsAt: number
  /** Positions (in name order) sorted by their pack offset. */
  readonly #byOffset: Uint32Array
  readonly #sortedOffsets: Float64Array
  /** Where the last entry ends: the pack size minus its trailing checksum. */
  readonly #dataEnd: number

  constructor(
    idx: Buffer,
    packSize: number,
    readonly name: string,
  ) {
    if (idx.length < 8 + FANOUT_BYTES + 40 || idx.readUInt32BE(0) !== IDX_MAGIC || idx.readUInt32BE(4) !== 2) {
      throw corruptRepository(`${name}: not a version 2 pack index`)
    }
    this.#idx = idx
    this.count = idx.readUInt32BE(8 + 255 * 4)
    this.#namesAt = 8 + FANOUT_BYTES
    const crcAt = this.#namesAt + this.count * 20
    this.#offsetsAt = crcAt + this.count * 4
    this.#largeOffsetsAt = this.#offsetsAt + this.count * 4
    if (this.#largeOffsetsAt + 40 > idx.length) {
      throw corruptRepository(`${name}: truncated pack index`)
    }
    this.#dataEnd = packSize - 20
    const offsets = new Float64Array(this.count)
    for (let i = 0; i < this.count; i++) offsets[i] = this.offsetAt(i)
    const order = new Uint32Array(this.count)
    for (let i = 0; i < this.count; i++) order[i] = i
    order.sort((a, b) => (offsets[a] ?? 0) - (offsets[b] ?? 0))
    this.#byOffset = order
    this.#sortedOffsets = new Float64Array(this.count)
    for (let i = 0; i < this.count; i++) this.#sortedOffsets[i] = offsets[order[i] ?? 0] ?? 0
  }

  /** The position of an object in name order, or -1. */
  find(oid: Buffer): number {
    const first = oid[0] ?? 0
    let low = first === 0 ? 0 : this.#idx.readUInt32BE(8 + (first - 1) * 4)
    let high = this.#idx.readUInt32BE(8 + first * 4)
    while (low < high) {
      const mid = (low + high) >>> 1
      const at = this.#namesAt + mid * 20
      const cmp = this.#idx.compare(oid, 0, 20, at, at + 20)
      if (cmp === 0) return mid
      if (cmp > 0) high = mid
      else low = mid + 1
    }
    return -1
  }

  oidAt(position: number): string {
    const at = this.#namesAt + position * 20
    return this.#idx.toString('hex', at, at + 20)
  }

  offsetAt(position: number): number {
    const small = this.#idx.readUInt32BE(this.#offsetsAt + position * 4)
    if ((small & 0x80000000) === 0) return small
    const at = this.#largeOffsetsAt + (small & 0x7fffffff) * 8
    return Number(this.#idx.readBigUInt64BE(at))
  }

  /** The byte where the entry starting at `offset` ends (where the next one starts). */
  entryEnd(offset: number): number {
    const rank = this.#rankOf(offset)
    if (rank < 0) throw corruptRepository(`no pack entry starts at offset ${offset}`)
    return rank + 1 < this.count ? (this.#sortedOffsets[rank + 1] ?? this.#dataEnd) : this.#dataEnd
  }

  /** The object whose entry starts at `offset` (how an ofs-delta names its base), if any. */
  oidAtOffset(offset: number): string | undefined {
    const rank = this.#rankOf(offset)
    return rank < 0 ? undefined : this.oidAt(this.#byOffset[rank] ?? 0)
  }

  #rankOf(offset: number): number {
    let low = 0
    let high = this.count - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const value = this.#sortedOffsets[mid] ?? 0
      if (value === offset) return mid
      if (value < offset) low = mid + 1
      else high = mid - 1
    }
    return -1
  }
}
