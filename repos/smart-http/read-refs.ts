import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

import { isOid } from '../pack/object-types.js'

export interface RawRefs {
  /** HEAD's symbolic target (`refs/heads/main`), when HEAD is symbolic. */
  headTarget?: string
  /** HEAD's own oid, when HEAD is detached. */
  headOid?: string
  /** Advertisable refs by name, loose files winning over `packed-refs`. */
  refs: Map<string, string>
}

/**
 * Only the branch and the version tags are public. Everything else (`refs/archives/*` holding the
 * uploaded zips, anything the engine may keep for itself) is hidden: never advertised, and its
 * objects are never sent unless public refs reach them.
 */
export function isAdvertisedRef(name: string): boolean {
  return name === 'refs/heads/main' || /^refs\/tags\/v[1-9][0-9]{0,15}$/.test(name)
}

const PUBLIC_DIRS = ['refs/heads', 'refs/tags']

/**
 * Reads HEAD and the public refs straight from the files, with no git binary. A loose ref caught
 * half-written by a concurrent update does not parse and is skipped for this one request.
 */
export async function readRawRefs(gitdir: string): Promise<RawRefs> {
  const [head, packed, loose] = await Promise.all([
    readFile(path.join(gitdir, 'HEAD'), 'utf8'),
    readPackedRefs(gitdir),
    Promise.all(PUBLIC_DIRS.map(async (dir) => await readLooseRefs(gitdir, dir))),
  ])
  const refs = new Map<string, string>()
  for (const [name, oid] of [...packed, ...loose.flat()]) {
    if (isAdvertisedRef(name)) refs.set(name, oid)
  }
  const headText = head.trim()
  if (headText.startsWith('ref: ')) return { headTarget: headText.slice(5).trim(), refs }
  return isOid(headText) ? { headOid: headText, refs } : { refs }
}

async function readPackedRefs(gitdir: string): Promise<Array<[string, string]>> {
  let text: string
  try {
    text = await readFile(path.join(gitdir, 'packed-refs'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const refs: Array<[string, string]> = []
  for (const line of text.split('\n')) {
    // Comments hold traits, "^" lines peeled values; peeling is redone from the objects anyway.
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue
    const oid = line.slice(0, 40)
    if (isOid(oid) && line[40] === ' ') refs.push([line.slice(41).trim(), oid])
  }
  return refs
}

async function readLooseRefs(gitdir: string, dir: string): Promise<Array<[string, string]>> {
  let entries: Array<{ name: string; isDirectory: () => boolean }>
  try {
    entries = await readdir(path.join(gitdir, dir), { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw error
  }
  const found = await Promise.all(
    entries.map(async (entry): Promise<Array<[string, string]>> => {
      const name = `${dir}/${entry.name}`
      if (entry.isDirectory()) return await readLooseRefs(gitdir, name)
      if (entry.name.endsWith('.lock')) return []
      try {
        const oid = (await readFile(path.join(gitdir, name), 'utf8')).trim()
        return isOid(oid) ? [[name, oid]] : []
      } catch {
        return [] // deleted between readdir and read
      }
    }),
  )
  return found.flat()
}
