import { formatTag, TAGSTONE_SIGNATURE } from './object-formats.js'
import { ObjectWriter } from './object-writer.js'
import { deleteRef, listRefs, writeRef } from './refs.js'

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
  const oid = await writer.write(
    'tag',
    formatTag({
      object: t.commit,
      type: 'commit',
      name: versionTagName(t.number),
      tagger: { ...TAGSTONE_SIGNATURE, time: t.time },
      message: t.message,
    }),
  )
  await writer.flush()
  return oid
}

/** Writes an annotated tag object on `commit` and the ref `refs/tags/v<number>`, durably. */
export async function writeVersionTag(gitdir: string, t: VersionTag): Promise<string> {
  const oid = await writeVersionTagObject(gitdir, t)
  await writeVersionTagRef(gitdir, t.number, oid)
  return oid
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
