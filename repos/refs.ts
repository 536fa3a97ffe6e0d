import { readFile, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import fs from 'node:fs'
import git from 'isomorphic-git'
import { writeFileDurably, syncDirectory } from './durable-fs.js'

/**
 * Refs are written as loose files, atomically and durably. Reads and deletes go
 * through isomorphic-git as well, so a repository whose refs an operator packed
 * with `git pack-refs` still reads right.
 */
export async function readRef(gitdir: string, ref: string): Promise<string | null> {
  try {
    return (await readFile(join(gitdir, ref), 'utf8')).trim()
  } catch {
    try {
      return await git.resolveRef({ fs, gitdir, ref, depth: 1 })
    } catch {
      return null
    }
  }
}

export async function writeRef(gitdir: string, ref: string, oid: string): Promise<void> {
  const path = join(gitdir, ref)
  await writeFileDurably(path, `${oid}\n`)
  await syncDirectory(dirname(path))
}

export async function deleteRef(gitdir: string, ref: string): Promise<void> {
  await unlink(join(gitdir, ref)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
  // Also drops a packed copy, which would otherwise resurrect the ref.
  await git.deleteRef({ fs, gitdir, ref }).catch(() => {})
  await syncDirectory(dirname(join(gitdir, ref)))
}

/** Every ref under a prefix (e.g. `refs/tags/`), loose or packed, with the oid it names. */
export async function listRefs(gitdir: string, prefix: string): Promise<Map<string, string>> {
  const names = await git.listRefs({ fs, gitdir, filepath: prefix.replace(/\/$/, '') })
  const out = new Map<string, string>()
  for (const name of names) {
    const ref = `${prefix.replace(/\/?$/, '/')}${name}`
    const oid = await readRef(gitdir, ref)
    if (oid) out.set(ref, oid)
  }
  return out
}
