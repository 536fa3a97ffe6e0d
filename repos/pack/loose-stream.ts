import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import { corruptRepository } from '../errors.js'
import { isObjectType, type ObjectType } from './object-types.js'
import { PACK_COMPRESSION_LEVEL } from './zlib-async.js'

/** Loose files larger than this are recompressed as a stream rather than in one piece. */
export const LOOSE_STREAM_BYTES = 1024 * 1024

export interface LooseHeader {
  type: ObjectType
  size: number
  headerLength: number
}

/** Reads only the "<type> <size>\0" in front of a loose object, inflating as little as it can. */
export async function readLooseHeader(file: string, oid: string): Promise<LooseHeader> {
  const handle = await open(file, 'r')
  try {
    for (let length = 256; length <= 64 * 1024; length *= 4) {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, 0)
      let inflated: Buffer
      try {
        inflated = zlib.inflateSync(buffer.subarray(0, bytesRead), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
      } catch {
        break
      }
      const nul = inflated.indexOf(0)
      if (nul < 0) {
        if (bytesRead < length) break
        continue
      }
      const [type = '', sizeText = ''] = inflated.toString('latin1', 0, nul).split(' ')
      const size = Number(sizeText)
      if (!isObjectType(type) || !Number.isSafeInteger(size)) break
      return { type, size, headerLength: nul + 1 }
    }
  } finally {
    await handle.close()
  }
  throw corruptRepository(`loose object ${oid} has a bad header`)
}

/**
 * Streams a loose object's content recompressed as a pack entry's zlib data: inflate, drop the
 * loose header, deflate. Memory stays at a few stream buffers whatever the object's size.
 */
export async function* streamLooseContent(file: string, header: LooseHeader, oid: string): AsyncGenerator<Buffer> {
  const content = new SkipHeader(header.headerLength)
  const deflater = zlib.createDeflate({ level: PACK_COMPRESSION_LEVEL })
  const flowing = pipeline(createReadStream(file), zlib.createInflate(), content, deflater)
  flowing.catch(() => {}) // the same error reaches the loop below through the deflater
  for await (const chunk of deflater) yield chunk as Buffer
  await flowing
  if (content.passed !== header.size) {
    throw corruptRepository(`loose object ${oid} holds ${content.passed} bytes, its header says ${header.size}`)
  }
}

class SkipHeader extends Transform {
  passed = 0
  #toSkip: number

  constructor(bytes: number) {
    super()
    this.#toSkip = bytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const skip = Math.min(this.#toSkip, chunk.length)
    this.#toSkip -= skip
    const rest = chunk.subarray(skip)
    this.passed += rest.length
    done(null, rest.length > 0 ? rest : undefined)
  }
}
