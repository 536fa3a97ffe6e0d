import { ObjectWriter, readObject } from './objects.js'
import { formatTag, parseHeaders, TAGSTONE_SIGNATURE } from './object-formats.js'
import { readRef, writeRef, deleteRef } from './refs.js'

export const tagRef = (name: string) => `refs/tags/${name}`

export interface VersionTag {
  name: string
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
    formatTag({ object: t.commit, type: 'commit', name: t.name, tagger: { ...TAGSTONE_SIGNATURE, time: t.time }, message: t.message }),
  )
  await writer.flush()
  return oid
}

/** Writes an annotated tag object on `commit` and the ref `refs/tags/<name>`, durably. */
export async function writeVersionTag(gitdir: string, t: VersionTag): Promise<string> {
  const oid = await writeVersionTagObject(gitdir, t)
  await writeRef(gitdir, tagRef(t.name), oid)
  return oid
}

export async function deleteVersionTag(gitdir: string, name: string): Promise<void> {
  await deleteRef(gitdir, tagRef(name))
}

export interface TagInfo {
  tagOid: string
  object: string
  name: string
  message: string
}

/** What the ref `refs/tags/<name>` names now, or null when the ref is gone or not an annotated tag. */
export async function readVersionTag(gitdir: string, name: string): Promise<TagInfo | null> {
  const tagOid = await readRef(gitdir, tagRef(name))
  if (!tagOid) return null
  try {
    const obj = await readObject(gitdir, tagOid)
    if (obj.type !== 'tag') return null
    const { headers, message } = parseHeaders(obj.content)
    return { tagOid, object: headers.get('object')?.[0] ?? '', name: headers.get('tag')?.[0] ?? '', message }
  } catch {
    return null
  }
}
