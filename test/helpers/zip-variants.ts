/**
 * Variants of a zip built by `makeZip`: the same files in other bytes, as a
 * re-zip of an unchanged folder would give, and broken copies.
 */

const LOCAL = 0x04034b50
const CENTRAL = 0x02014b50
const END = 0x06054b50

/** MS-DOS date and time fields, as zip headers hold them. */
function dosStamp(date: Date): { time: number; day: number } {
  const time = (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2)
  const day = ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate()
  return { time, day }
}

/** Offsets of each entry's central header and local header, walked from the end record (never by signature search). */
export function entryOffsets(zip: Buffer): Array<{ central: number; local: number }> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || zip.readUInt32LE(end) !== END) throw new Error('no end of central directory')
  const entries = zip.readUInt16LE(end + 10)
  let central = zip.readUInt32LE(end + 16)
  const out: Array<{ central: number; local: number }> = []
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(central) !== CENTRAL) throw new Error(`no central header at ${central}`)
    const local = zip.readUInt32LE(central + 42)
    if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`no local header at ${local}`)
    out.push({ central, local })
    central += 46 + zip.readUInt16LE(central + 28) + zip.readUInt16LE(central + 30) + zip.readUInt16LE(central + 32)
  }
  return out
}

/** The same zip with every entry's modification time set to `date`: new bytes, same files. */
export function restamp(zip: Buffer, date: Date): Buffer {
  const out = Buffer.from(zip)
  const { time, day } = dosStamp(date)
  for (const { central, local } of entryOffsets(out)) {
    out.writeUInt16LE(time, local + 10)
    out.writeUInt16LE(day, local + 12)
    out.writeUInt16LE(time, central + 12)
    out.writeUInt16LE(day, central + 14)
  }
  return out
}

/** The same zip with an archive comment: new bytes, same files. */
export function withComment(zip: Buffer, comment: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || zip.readUInt32LE(end) !== END) throw new Error('no end of central directory')
  const text = Buffer.from(comment)
  const head = Buffer.from(zip.subarray(0, end + 22))
  head.writeUInt16LE(text.length, end + 20)
  return Buffer.concat([head, text])
}

/** The zip with the CRC-32 of its first entry wrong, in both headers: it still opens, but its data no longer checks. */
export function badCrc(zip: Buffer): Buffer {
  const out = Buffer.from(zip)
  const first = entryOffsets(out)[0]
  if (!first) throw new Error('an empty zip has no CRC to break')
  out.writeUInt32LE((out.readUInt32LE(first.local + 14) ^ 0xdeadbeef) >>> 0, first.local + 14)
  out.writeUInt32LE((out.readUInt32LE(first.central + 16) ^ 0xdeadbeef) >>> 0, first.central + 16)
  return out
}

/** The zip with its first entry announcing `by` bytes more (or fewer) than its data inflates to, in both headers. */
export function lyingSize(zip: Buffer, by: number): Buffer {
  const out = Buffer.from(zip)
  const first = entryOffsets(out)[0]
  if (!first) throw new Error('an empty zip has no size to lie about')
  out.writeUInt32LE(out.readUInt32LE(first.local + 22) + by, first.local + 22)
  out.writeUInt32LE(out.readUInt32LE(first.central + 24) + by, first.central + 24)
  return out
}

/** The zip with its first entry's compressed data overwritten with bytes that do not inflate. */
export function badDeflate(zip: Buffer): Buffer {
  const out = Buffer.from(zip)
  const nameLength = out.readUInt16LE(26)
  const extraLength = out.readUInt16LE(28)
  const data = 30 + nameLength + extraLength
  const size = out.readUInt32LE(18)
  out.fill(0xff, data, data + Math.min(size, 8))
  return out
}

/** The zip as a Windows tool writes it: "made by" MS-DOS, so the external attributes hold no Unix mode. */
export function madeOnDos(zip: Buffer): Buffer {
  const out = Buffer.from(zip)
  for (const { central } of entryOffsets(out)) out.writeUInt8(0, central + 5)
  return out
}
