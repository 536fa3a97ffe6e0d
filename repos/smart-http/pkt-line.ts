import { gitProtocolError } from '../errors.js'

/** Largest pkt-line git accepts, length prefix included (LARGE_PACKET_MAX). */
export const MAX_PKT_LENGTH = 65520
export const MAX_PKT_PAYLOAD = MAX_PKT_LENGTH - 4

export const FLUSH_PKT = Buffer.from('0000')
export const DELIM_PKT = Buffer.from('0001')

export type PktLine =
  { kind: 'flush' } | { kind: 'delim' } | { kind: 'response-end' } | { kind: 'data'; payload: Buffer }

/** Frames one payload as a pkt-line: four hex digits of total length, then the bytes. */
export function encodePktLine(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  const length = data.length + 4
  if (length > MAX_PKT_LENGTH) {
    throw new RangeError(`pkt-line payload of ${data.length} bytes exceeds ${MAX_PKT_PAYLOAD}`)
  }
  const header = Buffer.from(length.toString(16).padStart(4, '0'), 'ascii')
  return Buffer.concat([header, data])
}

const HEX_LENGTH = /^[0-9a-fA-F]{4}$/

/**
 * Splits a whole request body into pkt-lines. Strict on purpose: a stateless-RPC body is complete
 * when we see it, so anything truncated or mis-framed is the client's error, never ours to guess.
 */
export function parsePktLines(body: Buffer): PktLine[] {
  const lines: PktLine[] = []
  let offset = 0
  while (offset < body.length) {
    if (body.length - offset < 4) {
      throw gitProtocolError(`truncated pkt-line length at byte ${offset}`)
    }
    const lengthText = body.toString('latin1', offset, offset + 4)
    if (!HEX_LENGTH.test(lengthText)) {
      throw gitProtocolError(`invalid pkt-line length ${JSON.stringify(lengthText)} at byte ${offset}`)
    }
    const length = parseInt(lengthText, 16)
    if (length === 0) lines.push({ kind: 'flush' })
    else if (length === 1) lines.push({ kind: 'delim' })
    else if (length === 2) lines.push({ kind: 'response-end' })
    else if (length < 4) {
      throw gitProtocolError(`invalid pkt-line length ${lengthText} at byte ${offset}`)
    } else if (length > MAX_PKT_LENGTH) {
      throw gitProtocolError(`pkt-line length ${length} at byte ${offset} exceeds ${MAX_PKT_LENGTH}`)
    } else if (offset + length > body.length) {
      throw gitProtocolError(
        `truncated pkt-line at byte ${offset}: ${length} bytes announced, ${body.length - offset} left`,
      )
    } else {
      lines.push({ kind: 'data', payload: body.subarray(offset + 4, offset + length) })
    }
    offset += length < 4 ? 4 : length
  }
  return lines
}

/** A data line as text without its optional trailing LF, the way git compares command lines. */
export function pktLineText(payload: Buffer): string {
  const end = payload.length > 0 && payload[payload.length - 1] === 0x0a ? payload.length - 1 : payload.length
  return payload.toString('utf8', 0, end)
}
