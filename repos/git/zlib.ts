import { promisify } from 'node:util'
import zlib from 'node:zlib'

/**
 * Small buffers are (de)compressed synchronously: a hop to the thread pool costs more than the
 * work. Large ones go to the pool so one big file never stalls every other request, and so that
 * several objects can be compressed on several cores at once.
 */
const SYNC_LIMIT = 32 * 1024

/** zlib level for pack entries: speed matters more than a few percent on loopback or LAN. */
export const PACK_COMPRESSION_LEVEL = 1

const inflateAsync = promisify(zlib.inflate)
const deflateAsync = promisify(zlib.deflate)

export async function inflate(data: Buffer, expectedSize?: number): Promise<Buffer> {
  const options: zlib.ZlibOptions = expectedSize === undefined ? {} : { maxOutputLength: Math.max(expectedSize, 1) }
  if (data.length <= SYNC_LIMIT && (expectedSize ?? 0) <= SYNC_LIMIT * 4) return zlib.inflateSync(data, options)
  return await inflateAsync(data, options)
}

/** Loose objects keep zlib's default level, as git writes them; packs pass `PACK_COMPRESSION_LEVEL`. */
export async function deflate(data: Uint8Array, level: number = zlib.constants.Z_DEFAULT_COMPRESSION): Promise<Buffer> {
  const options = { level }
  if (data.length <= SYNC_LIMIT) return zlib.deflateSync(data, options)
  return await deflateAsync(data, options)
}

/**
 * Inflates as much of a truncated zlib stream as its bytes allow: how the header in front of a
 * big object is read without inflating the object. Throws when the bytes are not zlib at all.
 */
export function inflatePrefix(data: Buffer): Buffer {
  return zlib.inflateSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
}
