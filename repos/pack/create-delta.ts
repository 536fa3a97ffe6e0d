/**
 * Git's delta format, written: a copy-from-base / insert program that `applyDelta` turns back into
 * the target. The base is indexed in blocks of `BLOCK` bytes by a rolling hash; the target is
 * scanned byte by byte, and where a block matches, the match is grown both ways and copied.
 */

const BLOCK = 16
/** Base positions tried per lookup: enough for repetitive text, bounded for pathological input. */
const MAX_CANDIDATES = 32
/** A copy instruction carries at most this many bytes (git's own limit, which every reader takes). */
const MAX_COPY = 0x10000
const MAX_INSERT = 0x7f
const MULTIPLIER = 0x01000193
/** MULTIPLIER ** (BLOCK - 1), modulo 2 ** 32: what the byte leaving the window weighed. */
const OUTGOING = (() => {
  let weight = 1
  for (let i = 1; i < BLOCK; i++) weight = Math.imul(weight, MULTIPLIER)
  return weight
})()

/** A base's blocks, findable by hash; built once per base and reused for every target tried against it. */
export interface DeltaIndex {
  base: Buffer
  bits: number
  heads: Int32Array
  next: Int32Array
}

function blockHash(data: Buffer, at: number): number {
  let hash = 0
  for (let i = 0; i < BLOCK; i++) hash = (Math.imul(hash, MULTIPLIER) + (data[at + i] as number)) | 0
  return hash
}

function bucketOf(hash: number, bits: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> (32 - bits)
}

export function indexBase(base: Buffer): DeltaIndex {
  const blocks = Math.floor(base.length / BLOCK)
  let bits = 4
  while (1 << bits < blocks && bits < 24) bits++
  const heads = new Int32Array(1 << bits).fill(-1)
  const next = new Int32Array(Math.max(blocks, 1))
  // Later blocks first, so that each chain is walked from the start of the base forward.
  for (let block = blocks - 1; block >= 0; block--) {
    const bucket = bucketOf(blockHash(base, block * BLOCK), bits)
    next[block] = heads[bucket] as number
    heads[bucket] = block
  }
  return { base, bits, heads, next }
}

/** Collects the instructions, giving up as soon as they pass `maxSize`. */
class DeltaOutput {
  readonly bytes: Buffer
  length = 0

  constructor(readonly maxSize: number) {
    this.bytes = Buffer.allocUnsafe(maxSize + 32)
  }

  get full(): boolean {
    return this.length > this.maxSize
  }

  varint(value: number): void {
    let rest = value
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest & 0x7f) | 0x80
      rest = Math.floor(rest / 128)
    }
    this.bytes[this.length++] = rest
  }

  insert(target: Buffer, start: number, end: number): void {
    for (let at = start; at < end && !this.full; at += MAX_INSERT) {
      const size = Math.min(MAX_INSERT, end - at)
      this.bytes[this.length++] = size
      target.copy(this.bytes, this.length, at, at + size)
      this.length += size
    }
  }

  copy(offset: number, size: number): void {
    for (let done = 0; done < size && !this.full; done += MAX_COPY) {
      this.#copyOne(offset + done, Math.min(MAX_COPY, size - done))
    }
  }

  #copyOne(offset: number, size: number): void {
    const opAt = this.length++
    let op = 0x80
    for (let i = 0; i < 4; i++) {
      const byte = Math.floor(offset / 2 ** (8 * i)) & 0xff
      if (byte !== 0) {
        op |= 1 << i
        this.bytes[this.length++] = byte
      }
    }
    for (let i = 0; i < 3; i++) {
      const byte = (size >> (8 * i)) & 0xff
      if (byte !== 0) {
        op |= 0x10 << i
        this.bytes[this.length++] = byte
      }
    }
    this.bytes[opAt] = op
  }
}

/**
 * The delta that rebuilds `target` from the indexed base, or undefined when it would be longer
 * than `maxSize` bytes (then storing the target whole, or another base, is the better choice).
 */
export function createDelta(index: DeltaIndex, target: Buffer, maxSize: number): Buffer | undefined {
  const base = index.base
  const out = new DeltaOutput(Math.max(0, Math.floor(maxSize)))
  out.varint(base.length)
  out.varint(target.length)
  let pending = 0
  let at = 0
  let hash = target.length >= BLOCK ? blockHash(target, 0) : 0
  while (at + BLOCK <= target.length) {
    let bestStart = -1
    let bestLength = 0
    let tries = 0
    for (
      let block = index.heads[bucketOf(hash, index.bits)] as number;
      block >= 0 && tries < MAX_CANDIDATES;
      block = index.next[block] as number
    ) {
      tries++
      const start = block * BLOCK
      let length = 0
      const limit = Math.min(base.length - start, target.length - at)
      while (length < limit && base[start + length] === target[at + length]) length++
      if (length > bestLength) {
        bestLength = length
        bestStart = start
        if (length === limit) break
      }
    }
    if (bestLength < BLOCK) {
      const leaving = target[at] as number
      at++
      if (at + BLOCK <= target.length) {
        hash = (Math.imul(hash - Math.imul(leaving, OUTGOING), MULTIPLIER) + (target[at + BLOCK - 1] as number)) | 0
      }
      continue
    }
    // Bytes just before the match may match too: take them back from the pending insert.
    let back = 0
    while (at - back > pending && bestStart - back > 0 && base[bestStart - back - 1] === target[at - back - 1]) back++
    out.insert(target, pending, at - back)
    out.copy(bestStart - back, bestLength + back)
    if (out.full) return undefined
    at += bestLength
    pending = at
    if (at + BLOCK <= target.length) hash = blockHash(target, at)
  }
  out.insert(target, pending, target.length)
  if (out.full) return undefined
  return Buffer.from(out.bytes.subarray(0, out.length))
}
