import { formatTag, TAGSTONE_SIGNATURE } from './object-formats.js'
import { ObjectWriter } from './objects.js'
import { deleteRef, writeRef } from './refs.js'

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
    formatTag({
      object: t.commit,
      type: 'commit',
      name: t.name,
      tagger: { ...TAGSTONE_SIGNATURE, time: t.time },
      message: t.message,
    }),
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
