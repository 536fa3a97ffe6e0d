import { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import { corruptRepository } from '../errors.js'
import type { ObjectHeader } from '../git/loose-objects.js'
import { PACK_COMPRESSION_LEVEL } from '../git/zlib.js'

/** Loose files larger than this are recompressed as a stream rather than in one piece. */
export const LOOSE_STREAM_BYTES = 1024 * 1024

/**
 * Streams a loose object's content recompressed as a pack entry's zlib data: inflate, drop the
 * loose header, deflate. Memory stays at a few stream buffers whatever the object's size.
 */
export async function* streamLooseContent(file: string, header: ObjectHeader, oid: string): AsyncGenerator<Buffer> {
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
