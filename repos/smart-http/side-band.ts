import { encodePktLine, FLUSH_PKT } from './pkt-line.js'

export type SideBandMode = 'none' | 'side-band' | 'side-band-64k'

/** Bytes of data per packet: the pkt-line limit minus the 4-byte length and the band byte. */
const DATA_PER_PACKET: Record<Exclude<SideBandMode, 'none'>, number> = {
  'side-band-64k': 65520 - 5,
  'side-band': 1000 - 5,
}

/** Band 1 carries the pack, band 2 progress text, band 3 a fatal error message. */
export function sideBandPacket(band: 1 | 2 | 3, data: Buffer): Buffer {
  return encodePktLine(Buffer.concat([Buffer.from([band]), data]))
}

/** Raw packs are written in pieces of about this size: few large writes beat many small ones. */
const RAW_CHUNK = 64 * 1024

/**
 * Frames a pack for the client: in side-band mode, full band-1 packets (progress on band 2, a
 * failure reported on band 3) and a closing flush; otherwise the raw bytes. An error in raw mode
 * has no channel to the client and ends the stream.
 */
export async function* frameSideBand(
  mode: SideBandMode,
  pack: AsyncIterable<Buffer> | Iterable<Buffer>,
  progress: {
    before?: string
    after?: () => string | undefined
    onError: (error: unknown) => void
  },
): AsyncGenerator<Buffer> {
  if (mode === 'none') {
    try {
      yield* coalesce(pack, RAW_CHUNK)
    } catch (error) {
      progress.onError(error)
      throw error
    }
    return
  }
  if (progress.before !== undefined) yield sideBandPacket(2, Buffer.from(progress.before))
  try {
    for await (const data of coalesce(pack, DATA_PER_PACKET[mode])) yield sideBandPacket(1, data)
  } catch (error) {
    progress.onError(error)
    yield sideBandPacket(3, Buffer.from('aborting: the server could not read this repository\n'))
    return
  }
  const after = progress.after?.()
  if (after !== undefined) yield sideBandPacket(2, Buffer.from(after))
  yield FLUSH_PKT
}

/** Regroups a stream of buffers into pieces of exactly `size` bytes (the last one shorter). */
export async function* coalesce(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  size: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of chunks) {
    let rest = chunk
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes
      pending.push(rest.subarray(0, take))
      yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, size)
      rest = rest.subarray(take)
      pending = []
      pendingBytes = 0
    }
    if (rest.length > 0) {
      pending.push(rest)
      pendingBytes += rest.length
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes)
}
