import { type FileHandle, open } from 'node:fs/promises'

import { corruptRepository } from '../errors.js'
import type { ByteLru } from './byte-lru.js'
import type { PackIndex } from './pack-index.js'
import { OBJ_OFS_DELTA, OBJ_REF_DELTA } from './type-codes.js'

/** What the few bytes in front of a pack entry say. */
export interface PackEntryHeader {
  offset: number
  /** 1-4 for whole objects, 6 (ofs-delta) or 7 (ref-delta). */
  typeCode: number
  /** Inflated size: of the object, or of the delta instructions. */
  size: number
  /** First byte of the zlib stream. */
  dataStart: number
  /** First byte after the entry. */
  end: number
  baseOffset?: number
  baseOid?: string
}

const HEADER_PEEK = 32

/**
 * Packs are read through a cache of fixed-size blocks, as git maps pack windows: walking deltas
 * and copying small entries then costs a lookup instead of a system call each. A pack file never
 * changes (its name is its checksum), so cached blocks never go stale.
 */
export const PACK_BLOCK_BYTES = 64 * 1024
/** Reads longer than this bypass the cache: big objects are streamed, not kept. */
const MAX_CACHED_READ = 4 * PACK_BLOCK_BYTES

/** One `pack-*.pack` with its index; the file is opened on first use and read positionally. */
export class PackFile {
  #handle: Promise<FileHandle> | undefined
  readonly #reading = new Map<number, Promise<Buffer>>()

  constructor(
    readonly path: string,
    readonly index: PackIndex,
    readonly size: number,
    readonly blocks: ByteLru<Buffer>,
  ) {}

  async readHeader(offset: number): Promise<PackEntryHeader> {
    const end = this.index.entryEnd(offset)
    const peek = await this.readRange(offset, Math.min(end, offset + HEADER_PEEK))
    return parseEntryHeader(peek, offset, end, this.path)
  }

  /** The bytes in [start, end). The result may share memory with the cache: never write to it. */
  async readRange(start: number, end: number): Promise<Buffer> {
    if (end - start > MAX_CACHED_READ) return await this.#readDirect(start, end)
    const first = Math.floor(start / PACK_BLOCK_BYTES)
    const last = Math.floor((end - 1) / PACK_BLOCK_BYTES)
    if (first === last) {
      const block = await this.#block(first)
      return block.subarray(start - first * PACK_BLOCK_BYTES, end - first * PACK_BLOCK_BYTES)
    }
    const parts: Buffer[] = []
    for (let n = first; n <= last; n++) {
      const block = await this.#block(n)
      const from = Math.max(start, n * PACK_BLOCK_BYTES) - n * PACK_BLOCK_BYTES
      const to = Math.min(end, (n + 1) * PACK_BLOCK_BYTES) - n * PACK_BLOCK_BYTES
      parts.push(block.subarray(from, to))
    }
    return Buffer.concat(parts, end - start)
  }

  /** Opens the file now rather than on first read: once open, a repack may unlink it safely. */
  async openNow(): Promise<void> {
    await this.#open()
  }

  async close(): Promise<void> {
    const handle = this.#handle
    this.#handle = undefined
    if (handle !== undefined) await (await handle.catch(() => undefined))?.close()
  }

  async #block(n: number): Promise<Buffer> {
    const key = `${this.path}\0${n}`
    const cached = this.blocks.get(key)
    if (cached !== undefined) return cached
    let reading = this.#reading.get(n)
    if (reading === undefined) {
      const start = n * PACK_BLOCK_BYTES
      reading = this.#readDirect(start, Math.min(this.size, start + PACK_BLOCK_BYTES))
      this.#reading.set(n, reading)
      reading
        .then(
          (block) => {
            this.blocks.set(key, block, block.length + 64)
          },
          () => {},
        )
        .finally(() => {
          this.#reading.delete(n)
        })
    }
    return await reading
  }

  async #readDirect(start: number, end: number): Promise<Buffer> {
    if (end > this.size) throw corruptRepository(`${this.path}: read past the end of the pack`)
    const handle = await this.#open()
    const buffer = Buffer.allocUnsafe(end - start)
    let filled = 0
    // A positional read may return fewer bytes than asked; loop until the range is complete.
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled)
      if (bytesRead === 0) throw corruptRepository(`${this.path}: unexpected end of file`)
      filled += bytesRead
    }
    return buffer
  }

  async #open(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'r')
    try {
      return await this.#handle
    } catch (error) {
      this.#handle = undefined
      throw error
    }
  }
}

export function parseEntryHeader(peek: Buffer, offset: number, end: number, where: string): PackEntryHeader {
  let at = 0
  const next = (): number => {
    const byte = peek[at++]
    if (byte === undefined) throw corruptRepository(`${where}: bad entry header at ${offset}`)
    return byte
  }
  let byte = next()
  const typeCode = (byte >> 4) & 7
  let size = byte & 0x0f
  let scale = 16
  while ((byte & 0x80) !== 0) {
    byte = next()
    size += (byte & 0x7f) * scale
    scale *= 128
  }
  const header: PackEntryHeader = { offset, typeCode, size, dataStart: 0, end }
  if (typeCode === OBJ_OFS_DELTA) {
    byte = next()
    let distance = byte & 0x7f
    while ((byte & 0x80) !== 0) {
      byte = next()
      distance = (distance + 1) * 128 + (byte & 0x7f)
    }
    header.baseOffset = offset - distance
    if (header.baseOffset < 12) throw corruptRepository(`${where}: bad delta base at ${offset}`)
  } else if (typeCode === OBJ_REF_DELTA) {
    if (at + 20 > peek.length) throw corruptRepository(`${where}: bad entry header at ${offset}`)
    header.baseOid = peek.toString('hex', at, at + 20)
    at += 20
  } else if (typeCode < 1 || typeCode > 4) {
    throw corruptRepository(`${where}: unknown entry type ${typeCode} at ${offset}`)
  }
  header.dataStart = offset + at
  return header
}
