import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { makeDirectory, syncDirectories, writeFileDurably } from '../durable-fs.js'
import { hashObject, looseObjectPath } from './loose-objects.js'
import type { ObjectType } from './object-types.js'
import { deflate } from './zlib.js'

/** Object files written at once: enough to overlap their fsyncs without a storm of open files. */
const WRITE_CONCURRENCY = 16

/**
 * Writes objects as loose files with node's native zlib. Each write is atomic and fsynced; the
 * directories they land in are synced once by `flush()`, so a batch of thousands of files costs
 * one directory sync per fan-out folder.
 *
 * `add` hashes an object and hands back its id at once, while the file is written in the
 * background: a tree can name its blobs, and a commit its tree, before either is on disk, so a
 * whole package is one round of fsyncs rather than one per level of its tree. Nothing names these
 * objects until the caller moves a ref, after `flush()`, so the order they reach the disk in does
 * not matter.
 */
export class ObjectWriter {
  private readonly dirs = new Set<string>()
  private readonly added = new Set<string>()
  private readonly writes: Promise<void>[] = []
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly gitdir: string) {}

  /** The object's id; its file is written in the background, and durable once `flush()` resolves. */
  add(type: ObjectType, content: Uint8Array): string {
    const { oid, raw } = hashObject(type, content)
    const path = looseObjectPath(this.gitdir, oid)
    // An object already there may be the leftover of a crashed write whose folder was never
    // synced, so its folder is synced too: the caller confirms on the strength of flush().
    this.dirs.add(dirname(path))
    if (this.added.has(oid)) return oid
    this.added.add(oid)
    const written = this.limited(() => this.place(path, raw))
    // Failures are reported by flush(); until then this one must not count as unhandled.
    written.catch(() => {})
    this.writes.push(written)
    return oid
  }

  /** `add`, then waits until the object's file (and every other added so far) is written. */
  async write(type: ObjectType, content: Uint8Array): Promise<string> {
    const oid = this.add(type, content)
    await this.settle()
    return oid
  }

  /** Waits for every added object's file, then syncs their folders. */
  async flush(): Promise<void> {
    await this.settle()
    await syncDirectories(this.dirs)
    this.dirs.clear()
  }

  /** Every write started so far, finished; the first failure is thrown once all have stopped. */
  private async settle(): Promise<void> {
    const outcomes = await Promise.allSettled(this.writes.splice(0))
    const failed = outcomes.find((o) => o.status === 'rejected')
    if (failed) throw failed.reason
  }

  private async place(path: string, raw: Buffer): Promise<void> {
    if (existsSync(path)) return
    // A new fan-out folder is an entry of objects/: synced with the rest by flush(), not at once
    // (a package of 2,000 files creates up to 256 of them).
    for (const dir of await makeDirectory(dirname(path))) this.dirs.add(dir)
    // `tmp_obj_*` in objects/ is git's own name for these: fsck ignores them and gc prunes them.
    await writeFileDurably(path, await deflate(raw), { dir: join(this.gitdir, 'objects'), prefix: 'tmp_obj_' })
  }

  private async limited(job: () => Promise<void>): Promise<void> {
    while (this.active >= WRITE_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active += 1
    try {
      await job()
    } finally {
      this.active -= 1
      this.waiting.shift()?.()
    }
  }
}
