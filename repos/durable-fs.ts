import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsync, open, openSync, writeFile, writeFileSync } from 'node:fs'
import { mkdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { promisify } from 'node:util'

/*
 * Calls that wait on the disk go to libuv's thread pool: fsync, and the ones that change a folder
 * (creating a file, renaming, mkdir), which queue behind the file system's journal while other
 * fsyncs run. The rest are made at once: a small write lands in the page cache, and opening a folder,
 * closing a file and checking that a folder exists take microseconds. A round trip through the pool
 * costs about 60 µs on the 2-core machine the benchmarks run on, and a version create made eleven of
 * them one after another (bench/README.md, "Write-path figures").
 */
const fsyncFd = promisify(fsync)
/** A plain descriptor, closed at once with closeSync (a FileHandle would close it again when collected). */
const openFd = promisify(open)
const writeFd = promisify(writeFile)
/** Larger data is written from the pool, so that copying it never holds up other requests. */
const SYNC_WRITE_LIMIT = 64 * 1024

/** Hears how long each fsync took: a hook, so that whoever runs the process can measure without this layer knowing how. */
export type SyncObserver = (seconds: number, what: 'file' | 'directory') => void

let observeSync: SyncObserver | undefined

/** Sets (or clears) the one observer of this process's fsyncs. */
export function setSyncObserver(observer: SyncObserver | undefined): void {
  observeSync = observer
}

/** Every fsync of a durable write: counted, and timed for the observer. */
async function timedSync(fd: number, what: 'file' | 'directory'): Promise<void> {
  const start = performance.now()
  await fsyncFd(fd)
  syncs[what === 'file' ? 'files' : 'directories'] += 1
  observeSync?.((performance.now() - start) / 1000, what)
}

/**
 * Where the temporary file of a write goes. A crash leaves it behind, so inside
 * a repository it must sit where git looks for neither objects nor refs: a
 * `<ref>.tmp-x` beside a ref is a broken ref to git, a temp file in a fan-out
 * folder a bad object.
 */
export interface TempPlace {
  dir: string
  /** The file name before a random suffix. */
  prefix: string
}

/**
 * How many fsyncs the durable writes made since the process started, files and directories apart: a
 * plain counter a benchmark or a metrics endpoint can read (and diff around an operation).
 */
export interface DurableSyncStats {
  files: number
  directories: number
}

const syncs: DurableSyncStats = { files: 0, directories: 0 }

export function durableSyncStats(): DurableSyncStats {
  return { ...syncs }
}

/**
 * Writes a file so that a crash at any moment leaves either the old file or the
 * whole new one, and the new one is on disk (not only in the page cache) when
 * this resolves. Git's own object and ref writes follow the same tmp+rename rule.
 */
export async function writeFileDurably(path: string, data: Uint8Array | string, temp?: TempPlace): Promise<void> {
  await (
    await stageFileDurably(path, data, temp)
  )()
}

/**
 * The first half of `writeFileDurably`: the data is written to its temporary file and fsynced; the
 * returned function renames it into place. Several files can be staged at once, so their fsyncs
 * overlap, and then put in place in the order readers need.
 */
export async function stageFileDurably(
  path: string,
  data: Uint8Array | string,
  temp?: TempPlace,
): Promise<() => Promise<void>> {
  await ensureDirectory(dirname(path))
  const tmp = join(
    temp?.dir ?? dirname(path),
    `${temp?.prefix ?? `${basename(path)}.tmp-`}${randomBytes(6).toString('hex')}`,
  )
  const fd = await openFd(tmp, 'wx', 0o644)
  try {
    if (data.length <= SYNC_WRITE_LIMIT) writeFileSync(fd, data)
    else await writeFd(fd, data)
    await timedSync(fd, 'file')
  } catch (err) {
    closeSync(fd)
    await unlink(tmp).catch(() => {})
    throw err
  }
  closeSync(fd)
  return async () => {
    try {
      await rename(tmp, path)
    } catch (err) {
      await unlink(tmp).catch(() => {})
      throw err
    }
  }
}

/** Makes a directory's entries (creations, renames, removals) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fd = openSync(dir, 'r')
  try {
    await timedSync(fd, 'directory')
  } finally {
    closeSync(fd)
  }
}

/**
 * Creates a directory (and missing parents) so that the new entries survive
 * power loss: a file fsynced into a directory whose own entry was never synced
 * can vanish with it. Costs nothing when the directory already exists.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  for (const d of await makeDirectory(dir)) await syncDirectory(d)
}

/**
 * Creates a directory and its missing parents, and returns the directories that gained an entry
 * (none when it was there): syncing them makes the new folders durable. For a caller that syncs
 * folders in a batch of its own, as `ObjectWriter` does.
 */
export async function makeDirectory(dir: string): Promise<string[]> {
  if (existsSync(dir)) return []
  const first = await mkdir(dir, { recursive: true })
  if (first === undefined) return []
  const target = resolve(dir)
  const created = resolve(first)
  // Every directory from the parent of the first one created down to the parent of `dir` gained an entry.
  const chain = [dirname(created)]
  const below = relative(created, target)
  let at = created
  for (const part of below === '' ? [] : below.split(sep)) {
    chain.push(at)
    at = resolve(at, part)
  }
  return chain
}

/** Syncs each distinct directory once; used after a batch of durable writes. */
export async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(dirs)].map(syncDirectory))
}
