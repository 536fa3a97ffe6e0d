import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'

import { encodePktLine, FLUSH_PKT } from '../../../repos/smart-http/pkt-line.js'
import { git, runGit } from './fixture.js'

export interface DecodedResponse {
  /** ACK/NAK/ERR lines before the pack, without their newline. */
  lines: string[]
  pack: Buffer
  progress: string
  fatal: string
  /** The side-band stream ended with a flush packet. */
  flushed: boolean
}

export async function collect(result: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(result)) return result
  const chunks: Buffer[] = []
  for await (const chunk of result) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Splits an upload-pack answer: pkt-lines, then the pack raw or in side-band packets. */
export function decodeResponse(body: Buffer, sideBand: boolean): DecodedResponse {
  const decoded: DecodedResponse = { lines: [], pack: Buffer.alloc(0), progress: '', fatal: '', flushed: false }
  const pack: Buffer[] = []
  let at = 0
  let inPack = false
  while (at < body.length) {
    if (!sideBand && body.toString('latin1', at, at + 4) === 'PACK') {
      decoded.pack = body.subarray(at)
      return decoded
    }
    const length = parseInt(body.toString('latin1', at, at + 4), 16)
    if (Number.isNaN(length)) throw new Error(`bad pkt-line at ${at}`)
    if (length === 0) {
      if (inPack) decoded.flushed = true
      at += 4
      continue
    }
    const payload = body.subarray(at + 4, at + length)
    at += length
    const band = payload[0]
    if (sideBand && (band === 1 || band === 2 || band === 3)) {
      inPack = true
      if (band === 1) pack.push(payload.subarray(1))
      else if (band === 2) decoded.progress += payload.toString('utf8', 1)
      else decoded.fatal += payload.toString('utf8', 1)
    } else {
      decoded.lines.push(payload.toString('utf8').replace(/\n$/, ''))
    }
  }
  decoded.pack = Buffer.concat(pack)
  return decoded
}

export function packObjectCount(pack: Buffer): number {
  if (pack.toString('latin1', 0, 4) !== 'PACK') throw new Error('not a pack')
  return pack.readUInt32BE(8)
}

/**
 * Feeds a pack to the real `git index-pack` (which checks every entry, resolves every delta
 * and refuses thin packs) and returns the ids of the objects it holds, sorted.
 */
export async function indexPack(pack: Buffer, scratch: string): Promise<string[]> {
  await git(['init', '-q', '--bare', scratch], { cwd: path.dirname(scratch) })
  const result = await runGit(['index-pack', '--stdin'], { cwd: scratch, input: pack })
  if (result.code !== 0) throw new Error(`index-pack refused the pack: ${result.stderr}`)
  const packDir = path.join(scratch, 'objects', 'pack')
  const idx = (await readdir(packDir)).find((name) => name.endsWith('.idx'))
  if (idx === undefined) throw new Error('index-pack wrote no index')
  const listing = await runGit(['show-index'], { cwd: scratch, input: await readFile(path.join(packDir, idx)) })
  return listing.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ')[1] ?? '')
    .sort()
}

/** What `git rev-list --objects` says a pack for these wants and haves must hold. */
export async function expectedObjects(gitdir: string, wants: string[], haves: string[] = []): Promise<string[]> {
  const args = ['rev-list', '--objects', ...wants, ...(haves.length > 0 ? ['--not', ...haves] : [])]
  const out = await git(args, { cwd: gitdir })
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(0, 40))
    .sort()
}

/** A request body as git writes it: wants (capabilities on the first), flush, haves, done or flush. */
export function requestBody(
  wants: string[],
  capabilities: string,
  haves: string[] = [],
  end: 'done' | 'flush' = 'done',
): Buffer {
  const parts: Buffer[] = wants.map((oid, index) =>
    encodePktLine(index === 0 && capabilities !== '' ? `want ${oid} ${capabilities}\n` : `want ${oid}\n`),
  )
  parts.push(FLUSH_PKT)
  for (const oid of haves) parts.push(encodePktLine(`have ${oid}\n`))
  parts.push(end === 'done' ? encodePktLine('done\n') : FLUSH_PKT)
  return Buffer.concat(parts)
}
