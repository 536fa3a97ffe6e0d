import { dirname, join } from 'node:path'

import { stageFileDurably, syncDirectories } from '../durable-fs.js'
import { hashObject, looseObjectPath } from './loose-objects.js'
import { formatTag, TAGSTONE_SIGNATURE } from './object-formats.js'
import { ObjectWriter } from './object-writer.js'
import { deleteRef, listRefs, writeRef } from './refs.js'
import { deflate } from './zlib.js'

/** The one spelling of a version's tag: version 3 is `v3`. */
export function versionTagName(n: number): string {
  return `v${n}`
}

const VERSION_TAG = /^v([1-9][0-9]{0,15})$/

/** `v12` -> 12; any other name (`v012`, `v0`, `release`) is not a version's tag. */
export function versionNumberOfTag(name: string): number | undefined {
  const m = VERSION_TAG.exec(name)
  return m ? Number(m[1]) : undefined
}

const TAGS = 'refs/tags/'

export const tagRef = (name: string) => `${TAGS}${name}`
export const versionTagRef = (n: number) => tagRef(versionTagName(n))

/** Whether a full ref name is a version's tag (`refs/tags/v3`). */
export function isVersionTagRef(ref: string): boolean {
  return ref.startsWith(TAGS) && versionNumberOfTag(ref.slice(TAGS.length)) !== undefined
}

export interface VersionTag {
  number: number
  commit: string
  message: string
  /** Tagger time, seconds since the epoch. */
  time: number
}

/** Writes the annotated tag object alone, durably; the same fields always give the same id. */
export async function writeVersionTagObject(gitdir: string, t: VersionTag): Promise<string> {
  const writer = new ObjectWriter(gitdir)
  const oid = await writer.write('tag', versionTagContent(t))
  await writer.flush()
  return oid
}

/**
 * Writes an annotated tag object on `commit` and the ref `refs/tags/v<number>`, durably. The object
 * and the ref are staged (written and fsynced) at once and their two folders synced at once, so a
 * create waits for two rounds of fsyncs, not four. The object is renamed into place before the ref,
 * so a reader never sees the ref without its object. Power loss may keep the ref and lose the object
 * only before both folders are synced, which is before the confirm: recovery then undoes the create.
 */
export async function writeVersionTag(gitdir: string, t: VersionTag): Promise<string> {
  const { oid, raw } = hashObject('tag', versionTagContent(t))
  const objectPath = looseObjectPath(gitdir, oid)
  const refPath = join(gitdir, versionTagRef(t.number))
  const [placeObject, placeRef] = await Promise.all([
    stageFileDurably(objectPath, await deflate(raw), { dir: join(gitdir, 'objects'), prefix: 'tmp_obj_' }),
    stageFileDurably(refPath, `${oid}\n`, { dir: gitdir, prefix: 'tmp_ref_' }),
  ])
  await placeObject()
  await placeRef()
  await syncDirectories([dirname(objectPath), dirname(refPath)])
  return oid
}

function versionTagContent(t: VersionTag): Uint8Array {
  return formatTag({
    object: t.commit,
    type: 'commit',
    name: versionTagName(t.number),
    tagger: { ...TAGSTONE_SIGNATURE, time: t.time },
    message: t.message,
  })
}

/** Points a version's tag ref at an existing tag object. */
export async function writeVersionTagRef(gitdir: string, n: number, tagOid: string): Promise<void> {
  await writeRef(gitdir, versionTagRef(n), tagOid)
}

export async function deleteVersionTag(gitdir: string, n: number): Promise<void> {
  await deleteRef(gitdir, versionTagRef(n))
}

/** Every tag ref by its short name (`v3`, or whatever else someone put there), with the oid it names. */
export async function listTagRefs(gitdir: string): Promise<Map<string, string>> {
  const refs = await listRefs(gitdir, TAGS)
  return new Map([...refs].map(([ref, oid]) => [ref.slice(TAGS.length), oid]))
}
