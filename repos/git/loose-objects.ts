import { createHash } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import path from 'node:path'

import { corruptRepository } from '../errors.js'
import { type GitObject, isObjectType, type ObjectType } from './object-types.js'
import { inflate, inflatePrefix } from './zlib.js'

export function looseObjectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))
}

/** The "<type> <size>\0" in front of every object's content, as hashed and as stored loose. */
export interface ObjectHeader {
  type: ObjectType
  size: number
  /** Bytes of the header itself, its NUL included. */
  headerLength: number
}

export function objectHeader(type: ObjectType, size: number): Buffer {
  return Buffer.from(`${type} ${size}\0`)
}

/** Reads the header at the start of `raw`; undefined when it is incomplete or not a header. */
export function parseObjectHeader(raw: Buffer): ObjectHeader | undefined {
  const nul = raw.indexOf(0)
  if (nul <= 0) return undefined
  const header = raw.toString('latin1', 0, nul)
  const space = header.indexOf(' ')
  const type = header.slice(0, space)
  const size = Number(header.slice(space + 1))
  if (space < 0 || !isObjectType(type) || !Number.isSafeInteger(size)) return undefined
  return { type, size, headerLength: nul + 1 }
}

export function hashObject(type: ObjectType, content: Uint8Array): { oid: string; raw: Buffer } {
  const raw = Buffer.concat([objectHeader(type, content.length), content])
  return { oid: createHash('sha1').update(raw).digest('hex'), raw }
}

/** Reads a loose object, or returns undefined when there is no such file. */
export async function readLooseObject(gitdir: string, oid: string): Promise<GitObject | undefined> {
  let deflated: Buffer
  try {
    deflated = await readFile(looseObjectPath(gitdir, oid))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let raw: Buffer
  try {
    raw = await inflate(deflated)
  } catch {
    throw corruptRepository(`loose object ${oid} does not inflate`)
  }
  const header = parseObjectHeader(raw)
  if (header === undefined || header.size !== raw.length - header.headerLength) {
    throw corruptRepository(`loose object ${oid} has a bad header`)
  }
  return { type: header.type, content: raw.subarray(header.headerLength) }
}

/** Reads only the header of a loose object, inflating as little as it can: for big objects. */
export async function readLooseHeader(file: string, oid: string): Promise<ObjectHeader> {
  const handle = await open(file, 'r')
  try {
    for (let length = 256; length <= 64 * 1024; length *= 4) {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, 0)
      let inflated: Buffer
      try {
        inflated = inflatePrefix(buffer.subarray(0, bytesRead))
      } catch {
        break
      }
      if (inflated.indexOf(0) < 0) {
        if (bytesRead < length) break
        continue
      }
      const header = parseObjectHeader(inflated)
      if (header === undefined) break
      return header
    }
  } finally {
    await handle.close()
  }
  throw corruptRepository(`loose object ${oid} has a bad header`)
}
