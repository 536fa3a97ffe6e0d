import fs from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'

import { syncDirectory, writeFileDurably } from '../durable-fs.js'

/**
 * The one module that calls isomorphic-git. It does the jobs `bench/git-core.ts` measured it
 * within 1.5x of our own code for; see `repos/README.md` for the table and the reasons.
 */

/**
 * isomorphic-git, loaded on first use: its import costs more than the rest of an admin command's
 * start-up, and most commands and requests never call it.
 */
const isomorphicGit = async () => (await import('isomorphic-git')).default

/** isomorphic-git keeps parsed pack indexes and packs here between calls: one for the process. */
export const isomorphicCache = {}

/**
 * A node `fs` whose writes keep tagstone's durability rule: tmp file + fsync + rename + directory
 * fsync, with the temporary file where git ignores it (`tmp_obj_*` in objects/, `tmp_ref_*` in the
 * repository), and new directories synced into their parents.
 */
export function durableFs(gitdir: string): typeof fs {
  const promises = {
    ...fs.promises,
    async writeFile(path: string, data: Uint8Array | string): Promise<void> {
      const objects = join(gitdir, 'objects')
      const inObjects = path.startsWith(`${objects}${sep}`)
      await writeFileDurably(
        path,
        data,
        inObjects ? { dir: objects, prefix: 'tmp_obj_' } : { dir: gitdir, prefix: 'tmp_ref_' },
      )
      await syncDirectory(dirname(path))
    },
    async mkdir(path: string): Promise<void> {
      await mkdir(path)
      await syncDirectory(dirname(path))
    },
  }
  return { ...fs, promises } as unknown as typeof fs
}

/**
 * The oid of a ref that has no loose file, from `packed-refs`; null when it is not there either.
 * Measured within 1.5x of our parser for this job, so isomorphic-git does it.
 */
export async function resolvePackedRef(gitdir: string, ref: string): Promise<string | null> {
  const git = await isomorphicGit()
  try {
    return await git.resolveRef({ fs, gitdir, ref, depth: 1 })
  } catch {
    return null
  }
}

/**
 * How many commits `tip` reaches. isomorphic-git's log throws away what it walked when it meets a
 * missing or unreadable commit; a log cut at depth d reads only the first d commits, so the
 * readable stretch is then found by bisecting on the depth.
 */
export async function historyLength(gitdir: string, tip: string): Promise<{ commits: number; complete: boolean }> {
  const git = await isomorphicGit()
  const log = async (depth?: number) =>
    await git.log({ fs, gitdir, ref: tip, cache: isomorphicCache, ...(depth === undefined ? {} : { depth }) })
  try {
    return { commits: (await log()).length, complete: true }
  } catch {
    const reads = async (depth: number) =>
      await log(depth).then(
        () => true,
        () => false,
      )
    let good = 0
    let bad = 1
    while (bad < 2 ** 31 && (await reads(bad))) [good, bad] = [bad, bad * 2]
    while (bad - good > 1) {
      const mid = Math.floor((good + bad) / 2)
      if (await reads(mid)) good = mid
      else bad = mid
    }
    return { commits: good, complete: false }
  }
}
