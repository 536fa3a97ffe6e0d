import { createHash } from 'node:crypto'

export interface IndexEntry {
  oid: string
  offset: number
  crc32: number
}

/**
 * A version 2 pack index: magic, version, the 256-entry fan-out table, then object names, CRC32s
 * and offsets in name order (offsets of 2 GiB and beyond in a table of 64-bit ones), the pack's
 * checksum and the index's own.
 */
export function writePackIndex(entries: IndexEntry[], packChecksum: Buffer): Buffer {
  const sorted = entries
    .map((entry) => ({ ...entry, name: Buffer.from(entry.oid, 'hex') }))
    .sort((a, b) => Buffer.compare(a.name, b.name))
  const count = sorted.length
  const large = sorted.filter((entry) => entry.offset >= 0x80000000)
  const out = Buffer.alloc(8 + 256 * 4 + count * 28 + large.length * 8 + 40)
  out.writeUInt32BE(0xff744f63, 0)
  out.writeUInt32BE(2, 4)
  const fanout = new Uint32Array(256)
  for (const entry of sorted) fanout[entry.name[0] ?? 0] = (fanout[entry.name[0] ?? 0] ?? 0) + 1
  let running = 0
  for (let i = 0; i < 256; i++) {
    running += fanout[i] ?? 0
    out.writeUInt32BE(running, 8 + i * 4)
  }
  const namesAt = 8 + 256 * 4
  const crcAt = namesAt + count * 20
  const offsetsAt = crcAt + count * 4
  const largeAt = offsetsAt + count * 4
  let nextLarge = 0
  sorted.forEach((entry, i) => {
    entry.name.copy(out, namesAt + i * 20)
    out.writeUInt32BE(entry.crc32 >>> 0, crcAt + i * 4)
    if (entry.offset < 0x80000000) {
      out.writeUInt32BE(entry.offset, offsetsAt + i * 4)
    } else {
      out.writeUInt32BE((0x80000000 | nextLarge) >>> 0, offsetsAt + i * 4)
      out.writeBigUInt64BE(BigInt(entry.offset), largeAt + nextLarge * 8)
      nextLarge++
    }
  })
  const trailerAt = largeAt + large.length * 8
  packChecksum.copy(out, trailerAt)
  createHash('sha1')
    .update(out.subarray(0, trailerAt + 20))
    .digest()
    .copy(out, trailerAt + 20)
  return out
}
