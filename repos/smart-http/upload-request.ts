import { gitProtocolError } from '../errors.js'
import { isOid } from '../git/object-types.js'
import { parsePktLines, pktLineText } from './pkt-line.js'

/** One stateless-RPC `POST git-upload-pack` body, protocol v0. */
export interface UploadRequest {
  wants: string[]
  /** Capability words the client sent on its want lines. */
  capabilities: string[]
  haves: string[]
  /**
   * `done`: negotiation is over, send the pack. `flush`: one round of haves, answer with ACK/NAK
   * only. `empty`: the client wants nothing (it already has everything).
   */
  end: 'done' | 'flush' | 'empty'
}

const UNSUPPORTED = /^(shallow|deepen|deepen-since|deepen-not|filter)( |$)/

/**
 * Parses wants, then haves, the way `git upload-pack` reads them: want lines up to a flush, then
 * have lines up to a flush (another round follows) or `done` (send the pack).
 */
export function parseUploadRequest(body: Buffer): UploadRequest {
  const lines = parsePktLines(body)
  if (lines.length === 0) throw gitProtocolError('empty upload-pack request')
  const request: UploadRequest = { wants: [], capabilities: [], haves: [], end: 'empty' }
  let at = 0
  for (; at < lines.length; at++) {
    const line = lines[at]
    if (line?.kind === 'flush') break
    if (line?.kind !== 'data') throw gitProtocolError('unexpected special packet among want lines')
    const text = pktLineText(line.payload)
    if (UNSUPPORTED.test(text)) {
      throw gitProtocolError(
        `"${text.split(' ')[0] ?? ''}" is not supported: shallow and partial clones are not offered`,
      )
    }
    if (!text.startsWith('want ')) throw gitProtocolError(`expected a want line, got ${quote(text)}`)
    const [oid = '', ...capabilities] = text.slice(5).split(' ')
    if (!isOid(oid.toLowerCase())) throw gitProtocolError(`want line has an invalid object id: ${quote(text)}`)
    const normal = oid.toLowerCase()
    if (!request.wants.includes(normal)) request.wants.push(normal)
    request.capabilities.push(...capabilities.filter((word) => word !== ''))
  }
  if (at >= lines.length) throw gitProtocolError('want lines are not ended by a flush packet')
  if (request.wants.length === 0) {
    if (lines.slice(at + 1).some((line) => line.kind !== 'flush')) {
      throw gitProtocolError('lines after an empty want list')
    }
    return request
  }
  for (at++; at < lines.length; at++) {
    const line = lines[at]
    if (line?.kind === 'flush') {
      request.end = 'flush'
      break
    }
    if (line?.kind !== 'data') throw gitProtocolError('unexpected special packet among have lines')
    const text = pktLineText(line.payload)
    if (text === 'done') {
      request.end = 'done'
      break
    }
    if (!text.startsWith('have ')) throw gitProtocolError(`expected a have line or done, got ${quote(text)}`)
    const oid = text.slice(5)
    if (!isOid(oid.toLowerCase())) throw gitProtocolError(`have line has an invalid object id: ${quote(text)}`)
    request.haves.push(oid.toLowerCase())
  }
  if (request.end === 'empty') throw gitProtocolError('request ends without a flush packet or done')
  // A client may close its request with a flush; anything else after the end is an error.
  if (lines.slice(at + 1).some((line) => line.kind !== 'flush')) {
    throw gitProtocolError(`lines after ${request.end === 'done' ? 'done' : 'the flush packet'}`)
  }
  return request
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text)
}
