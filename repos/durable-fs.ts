import { open, rename, unlink, mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'

/**
 * Writes a file so that a crash at any moment leaves either the old file or the
 * whole new one, and the new one is on disk (not only in the page cache) when
 * this resolves. Git's own object and ref writes follow the same tmp+rename rule.
 */
export async function writeFileDurably(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`
  const handle = await open(tmp, 'wx', 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await unlink(tmp).catch(() => {})
    throw err
  }
  await handle.close()
  await rename(tmp, path)
}

/** Makes a directory's entries (creations, renames, removals) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Syncs each distinct directory once; used after a batch of durable writes. */
export async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(dirs)].map(syncDirectory))
}
