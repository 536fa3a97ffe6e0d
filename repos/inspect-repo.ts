import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'

import { historyLength } from './git/isomorphic.js'
import { hashObject } from './git/loose-objects.js'
import { type TagFields, TAGSTONE_SIGNATURE } from './git/object-formats.js'
import type { ObjectType } from './git/object-types.js'
import { listRefs } from './git/refs.js'
import { readMain } from './package-refs.js'
import { readObject } from './read-object.js'

/**
 * Read-only looks into a repository for the admin tools (fsck, inspect). Every
 * object read here is checked against its id, so a damaged object is told apart
 * from a missing one and never taken for the real thing.
 */

export type ObjectCheck =
  { ok: true; type: ObjectType; content: Buffer } | { ok: false; why: 'missing' | 'corrupt'; detail: string }

/** Reads an object and proves its content hashes to `oid`. */
export async function readVerifiedObject(gitdir: string, oid: string): Promise<ObjectCheck> {
  let found
  try {
    found = await readObject(gitdir, oid)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'GIT_OBJECT_NOT_FOUND' || code === 'ENOENT')
      return { ok: false, why: 'missing', detail: `object ${oid} is missing` }
    return { ok: false, why: 'corrupt', detail: `object ${oid} does not read: ${(err as Error).message}` }
  }
  const actual = hashObject(found.type, found.content).oid
  if (actual !== oid) return { ok: false, why: 'corrupt', detail: `object ${oid} hashes to ${actual}` }
  return { ok: true, type: found.type, content: found.content }
}

/** Whether a tag object is one tagstone writes for a version: annotated, on a commit, signed by tagstone. */
export function isTagstoneVersionTag(tag: TagFields, name: string): boolean {
  return (
    tag.type === 'commit' &&
    tag.name === name &&
    tag.tagger.startsWith(`${TAGSTONE_SIGNATURE.name} <${TAGSTONE_SIGNATURE.email}> `)
  )
}

/** Every archive ref by the commit it is named after, with the blob it names. */
export async function listArchiveRefs(gitdir: string): Promise<Map<string, string>> {
  const refs = await listRefs(gitdir, 'refs/archives/')
  return new Map([...refs].map(([ref, oid]) => [ref.slice('refs/archives/'.length), oid]))
}

/** How many commits `main` reaches; stops (and says so) at a missing or damaged commit. */
export async function mainHistoryLength(gitdir: string): Promise<{ commits: number; complete: boolean }> {
  const main = await readMain(gitdir)
  return main === null ? { commits: 0, complete: true } : await historyLength(gitdir, main)
}

/** Bytes of every file under a directory (apparent size), symlinks not followed; 0 when it is absent. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  for (const name of names) {
    const path = join(dir, name)
    const info = await lstat(path).catch(() => null)
    if (!info) continue
    total += info.isDirectory() ? await directoryBytes(path) : info.size
  }
  return total
}
