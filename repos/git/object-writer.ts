import { access } from 'node:fs/promises'
import { dirname, join } from 'node:path'

import { syncDirectories, writeFileDurably } from '../durable-fs.js'
import { hashObject, looseObjectPath } from './loose-objects.js'
import type { ObjectType } from './object-types.js'
import { deflate } from './zlib.js'

/**
 * Writes objects as loose files with node's native zlib. Each write is atomic and
 * fsynced; the directories they land in are synced once by `flush()`, so a batch
 * of thousands of files costs one directory sync per fan-out folder.
 */
export class ObjectWriter {
  private readonly dirs = new Set<string>()

  constructor(private readonly gitdir: string) {}

  async write(type: ObjectType, content: Uint8Array): Promise<string> {
    const { oid, raw } = hashObject(type, content)
    const path = looseObjectPath(this.gitdir, oid)
    // An object already there may be the leftover of a crashed write whose folder was never
    // synced, so its folder is synced too: the caller confirms on the strength of flush().
    this.dirs.add(dirname(path))
    if (await exists(path)) return oid
    // `tmp_obj_*` in objects/ is git's own name for these: fsck ignores them and gc prunes them.
    await writeFileDurably(path, await deflate(raw), { dir: join(this.gitdir, 'objects'), prefix: 'tmp_obj_' })
    return oid
  }

  async flush(): Promise<void> {
    await syncDirectories(this.dirs)
    this.dirs.clear()
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
