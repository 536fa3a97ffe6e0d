import { corruptRepository } from '../errors.js'

/** Rebuilds an object from its base and git's delta instructions (copy-from-base / insert). */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let at = 0
  const readSize = (): number => {
    let size = 0
    let scale = 1
    let byte: number
    do {
      byte = delta[at++] ?? fail()
      size += (byte & 0x7f) * scale
      scale *= 128
    } while ((byte & 0x80) !== 0)
    return size
  }
  const baseSize = readSize()
  if (baseSize !== base.length) fail()
  const result = Buffer.allocUnsafe(readSize())
  let written = 0
  while (at < delta.length) {
    const op = delta[at++] ?? fail()
    if ((op & 0x80) !== 0) {
      let copyOffset = 0
      let copySize = 0
      for (let bit = 0; bit < 4; bit++) {
        if ((op & (1 << bit)) !== 0) copyOffset += (delta[at++] ?? fail()) * 2 ** (8 * bit)
      }
      for (let bit = 0; bit < 3; bit++) {
        if ((op & (16 << bit)) !== 0) copySize += (delta[at++] ?? fail()) << (8 * bit)
      }
      if (copySize === 0) copySize = 0x10000
      if (copyOffset + copySize > base.length || written + copySize > result.length) fail()
      base.copy(result, written, copyOffset, copyOffset + copySize)
      written += copySize
    } else if (op !== 0) {
      if (at + op > delta.length || written + op > result.length) fail()
      delta.copy(result, written, at, at + op)
      at += op
      written += op
    } else {
      fail()
    }
  }
  if (written !== result.length) fail()
  return result
}

function fail(): never {
  throw corruptRepository('malformed delta in pack')
}
