import fs from 'node:fs'
import { readFile, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

import git from 'isomorphic-git'

import { syncDirectory, writeFileDurably } from './durable-fs.js'

/**
 * Refs are written as loose files, atomically and durably. Reads fall back to
 * isomorphic-git and deletes also drop a packed copy, so a repository whose refs
 * an operator packed with `git pack-refs` still reads and deletes right.
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
  // Not beside the ref: a leftover `refs/heads/main.tmp-x` would be a broken ref to git.
  await writeFileDurably(path, `${oid}\n`, { dir: gitdir, prefix: 'tmp_ref_' })
  await syncDirectory(dirname(path))
}

export async function deleteRef(gitdir: string, ref: string): Promise<void> {
  const removed = await unlink(join(gitdir, ref)).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
      return false
    },
  )
  if (removed) await syncDirectory(dirname(join(gitdir, ref)))
  await dropPackedRef(gitdir, ref)
}

/**
 * Drops a packed copy of `ref` (after an operator's `git pack-refs`), which would
 * otherwise resurrect it. The file is rewritten atomically and durably, as git
 * does; a crash mid-write must not lose every other packed ref.
 */
async function dropPackedRef(gitdir: string, ref: string): Promise<void> {
  const path = join(gitdir, 'packed-refs')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  const kept: string[] = []
  let dropping = false
  for (const line of text.split('\n')) {
    // A `^<oid>` line peels the ref just above it and goes with it.
    if (line.startsWith('^') && dropping) continue
    dropping = !line.startsWith('#') && line.slice(41) === ref
    if (!dropping) kept.push(line)
  }
  const next = kept.join('\n')
  if (next === text) return
  await writeFileDurably(path, next)
  await syncDirectory(gitdir)
}

/** Every ref under a prefix (e.g. `refs/tags/`), loose or packed, with the oid it names. */
export async function listRefs(gitdir: string, prefix: string): Promise<Map<string, string>> {
  const names = await git.listRefs({ fs, gitdir, filepath: prefix.replace(/\/$/, '') })
  const out = new Map<string, string>()
  for (const name of names) {
    // isomorphic-git lists the peel lines of packed annotated tags as `<tag>^{}`: not refs.
    if (name.endsWith('^{}')) continue
    const ref = `${prefix.replace(/\/?$/, '/')}${name}`
    const oid = await readRef(gitdir, ref)
    if (oid) out.set(ref, oid)
  }
  return out
}
