import { readdir, readFile, rmdir, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

import { stageFileDurably, syncDirectories, syncDirectory, writeFileDurably } from '../durable-fs.js'
import { resolvePackedRef } from './isomorphic.js'
import { isOid } from './object-types.js'

/**
 * Refs are written as loose files, atomically and durably. Reads also see `packed-refs` and
 * deletes also drop a packed copy, so a repository whose refs were packed (by `packRefs` when its
 * objects are, or by an operator's `git pack-refs`) still reads and deletes right.
 */

export interface PackedRef {
  name: string
  oid: string
  /** The `^<oid>` line under an annotated tag: what it finally names. */
  peeled?: string
  /** Lines of the file this ref takes (its own, and its peel line), from `line`. */
  line: number
  lines: number
}

/** The refs of a `packed-refs` file's text; `# pack-refs with:` trait lines and anything malformed are skipped. */
export function parsePackedRefs(text: string): PackedRef[] {
  const refs: PackedRef[] = []
  const lines = text.split('\n')
  lines.forEach((line, index) => {
    const last = refs.at(-1)
    if (line.startsWith('^')) {
      if (last !== undefined && last.line + last.lines === index && isOid(line.slice(1, 41))) {
        last.peeled = line.slice(1, 41)
        last.lines += 1
      }
      return
    }
    const oid = line.slice(0, 40)
    if (isOid(oid) && line[40] === ' ') refs.push({ name: line.slice(41).trim(), oid, line: index, lines: 1 })
  })
  return refs
}

/** The refs of a repository's `packed-refs` file; none when there is no such file. */
export async function readPackedRefs(gitdir: string): Promise<PackedRef[]> {
  const text = await readPackedRefsText(gitdir)
  return text === undefined ? [] : parsePackedRefs(text)
}

async function readPackedRefsText(gitdir: string): Promise<string | undefined> {
  try {
    return await readFile(join(gitdir, 'packed-refs'), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** The oid a ref names, loose file first, then `packed-refs`; null when neither has it. */
export async function readRef(gitdir: string, ref: string): Promise<string | null> {
  try {
    return (await readFile(join(gitdir, ref), 'utf8')).trim()
  } catch {
    return await resolvePackedRef(gitdir, ref)
  }
}

export async function writeRef(gitdir: string, ref: string, oid: string): Promise<void> {
  await writeRefs(gitdir, [[ref, oid]])
}

/**
 * Writes refs durably in two rounds of fsyncs, however many: every file is staged (written and
 * fsynced) at once, each is renamed into place in the order given, so a reader sees them appear
 * in that order, and then their folders are synced at once. Power loss before that last sync may
 * keep a later rename and lose an earlier one, so a caller must be able to undo the lot: every
 * operation moves refs between its reserve and its confirm, and recovery undoes what was not
 * confirmed.
 */
export async function writeRefs(
  gitdir: string,
  refs: ReadonlyArray<readonly [ref: string, oid: string]>,
): Promise<void> {
  const paths = refs.map(([ref]) => join(gitdir, ref))
  const places = await Promise.all(
    // Not beside the ref: a leftover `refs/heads/main.tmp-x` would be a broken ref to git.
    refs.map(([, oid], i) => stageFileDurably(paths[i]!, `${oid}\n`, { dir: gitdir, prefix: 'tmp_ref_' })),
  )
  for (const place of places) await place()
  await syncDirectories(paths.map((path) => dirname(path)))
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
  const text = await readPackedRefsText(gitdir)
  if (text === undefined) return
  const dropped = new Set<number>()
  for (const packed of parsePackedRefs(text)) {
    if (packed.name !== ref) continue
    for (let i = 0; i < packed.lines; i++) dropped.add(packed.line + i)
  }
  if (dropped.size === 0) return
  const next = text
    .split('\n')
    .filter((_line, index) => !dropped.has(index))
    .join('\n')
  await writeFileDurably(join(gitdir, 'packed-refs'), next)
  await syncDirectory(gitdir)
}

/**
 * Every ref under a prefix (e.g. `refs/tags/`) or several, loose or packed, loose winning, with the oid it
 * names. A loose ref caught half-written by a concurrent update does not parse and is skipped.
 */
export async function listRefs(gitdir: string, prefix: string | string[]): Promise<Map<string, string>> {
  const dirs = (Array.isArray(prefix) ? prefix : [prefix]).map((p) => p.replace(/\/$/, ''))
  // Loose first, as git reads them: a ref that `packRefs` moves between the two reads is found in
  // `packed-refs`, which it wrote before removing the loose file.
  const loose = await Promise.all(dirs.map(async (dir) => await listLooseRefs(gitdir, dir)))
  const packed = await readPackedRefs(gitdir)
  const out = new Map<string, string>()
  for (const ref of packed) if (dirs.some((dir) => ref.name.startsWith(`${dir}/`))) out.set(ref.name, ref.oid)
  for (const [name, oid] of loose.flat()) out.set(name, oid)
  return out
}

async function listLooseRefs(gitdir: string, dir: string): Promise<Array<[string, string]>> {
  let entries: Array<{ name: string; isDirectory: () => boolean }>
  try {
    entries = await readdir(join(gitdir, dir), { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw error
  }
  const found = await Promise.all(
    entries.map(async (entry): Promise<Array<[string, string]>> => {
      const name = `${dir}/${entry.name}`
      if (entry.isDirectory()) return await listLooseRefs(gitdir, name)
      if (entry.name.endsWith('.lock')) return []
      try {
        const oid = (await readFile(join(gitdir, name), 'utf8')).trim()
        return isOid(oid) ? [[name, oid]] : []
      } catch {
        return [] // deleted between readdir and read
      }
    }),
  )
  return found.flat()
}

/**
 * Moves every loose ref into `packed-refs`, as `git pack-refs --all` does, and removes the folders
 * under `refs/` this leaves empty: a small function's refs then take one file instead of three
 * files and three folders (4 KiB each on most file systems). Writes recreate the folders they
 * need. Only while nothing else writes this repository's refs (the engine holds the function's
 * lock). Safe against a crash at any point: the new `packed-refs` is durable before the first
 * loose ref goes, and a loose ref left behind names what its packed copy does. The removals are
 * synced too, or a power cut could bring back a ref deleted after them. Returns the refs moved.
 */
export async function packRefs(gitdir: string): Promise<number> {
  const loose = await listLooseRefs(gitdir, 'refs')
  if (loose.length === 0) return 0
  const refs = new Map<string, { oid: string; peeled?: string }>(
    (await readPackedRefs(gitdir)).map((ref) => [ref.name, ref]),
  )
  // Loose wins; a peel line stays only while it still belongs to the same tag.
  for (const [name, oid] of loose) if (refs.get(name)?.oid !== oid) refs.set(name, { oid })
  const text = [...refs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, ref]) => `${ref.oid} ${name}\n${ref.peeled ? `^${ref.peeled}\n` : ''}`)
    .join('')
  await writeFileDurably(join(gitdir, 'packed-refs'), text)
  await syncDirectory(gitdir)
  await Promise.all(loose.map(([name]) => unlink(join(gitdir, name))))
  await syncDirectories(loose.map(([name]) => dirname(join(gitdir, name))))
  await removeEmptyFolders(join(gitdir, 'refs'))
  return loose.length
}

/** Removes the empty folders below `dir` (not `dir` itself), deepest first, each removal synced. */
async function removeEmptyFolders(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true })
  let removed = false
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const below = join(dir, entry.name)
    await removeEmptyFolders(below)
    try {
      await rmdir(below)
      removed = true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw err
    }
  }
  if (removed) await syncDirectory(dir)
}
