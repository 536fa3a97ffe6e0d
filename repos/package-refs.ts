import { deleteRef, readRef, writeRef, writeRefs } from './git/refs.js'
import { readObject } from './read-object.js'

export const MAIN_REF = 'refs/heads/main'

/** The archive of the package committed as `commit`; hidden from clones (not under heads or tags). */
export const archiveRef = (commit: string) => `refs/archives/${commit}`

export async function readMain(gitdir: string): Promise<string | null> {
  return readRef(gitdir, MAIN_REF)
}

/**
 * Publishes an upload: the archive ref first, so `main` never names a commit without its archive
 * (for a crash before both are durable, recovery undoes the upload).
 */
export async function publishPackage(gitdir: string, p: { commit: string; archiveBlob: string }): Promise<void> {
  await writeRefs(gitdir, [
    [archiveRef(p.commit), p.archiveBlob],
    [MAIN_REF, p.commit],
  ])
}

/** Undoes `publishPackage` of `commit`, putting `main` back on `previous` (or removing it). */
export async function unpublishPackage(gitdir: string, p: { commit: string; previous: string | null }): Promise<void> {
  if (p.previous) await writeRef(gitdir, MAIN_REF, p.previous)
  else await deleteRef(gitdir, MAIN_REF)
  await deleteRef(gitdir, archiveRef(p.commit))
}

export async function readBlob(gitdir: string, oid: string): Promise<Buffer> {
  const obj = await readObject(gitdir, oid)
  if (obj.type !== 'blob') throw new Error(`object ${oid} is a ${obj.type}, not a blob`)
  return obj.content
}
