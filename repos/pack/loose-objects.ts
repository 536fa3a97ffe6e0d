import { readFile } from 'node:fs/promises'
import path from 'node:path'

import { corruptRepository } from '../errors.js'
import { type GitObject, isObjectType } from './object-types.js'
import { inflate } from './zlib-async.js'

export function looseObjectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))
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
  return parseLooseObject(oid, raw)
}

/** Splits the inflated "<type> <size>\0<content>" form of a loose object. */
export function parseLooseObject(oid: string, raw: Buffer): GitObject {
  const nul = raw.indexOf(0)
  const header = nul > 0 ? raw.toString('latin1', 0, nul) : ''
  const space = header.indexOf(' ')
  const type = header.slice(0, space)
  const size = Number(header.slice(space + 1))
  if (space < 0 || !isObjectType(type) || !Number.isSafeInteger(size) || size !== raw.length - nul - 1) {
    throw corruptRepository(`loose object ${oid} has a bad header`)
  }
  return { type, content: raw.subarray(nul + 1) }
}
