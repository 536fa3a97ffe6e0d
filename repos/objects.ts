import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { deflate, inflate } from 'node:zlib'

import git from 'isomorphic-git'

import { syncDirectories, writeFileDurably } from './durable-fs.js'

const deflateAsync = promisify(deflate)
const inflateAsync = promisify(inflate)

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag'

export interface GitObject {
  type: ObjectType
  content: Buffer
}

export function hashObject(type: ObjectType, content: Uint8Array): { oid: string; raw: Buffer } {
  const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content])
  return { oid: createHash('sha1').update(raw).digest('hex'), raw }
}

function loosePath(gitdir: string, oid: string): string {
  return join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))
}

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
    const path = loosePath(this.gitdir, oid)
    // An object already there may be the leftover of a crashed write whose folder was never
    // synced, so its folder is synced too: the caller confirms on the strength of flush().
    this.dirs.add(dirname(path))
    if (await exists(path)) return oid
    // `tmp_obj_*` in objects/ is git's own name for these: fsck ignores them and gc prunes them.
    await writeFileDurably(path, await deflateAsync(raw), { dir: join(this.gitdir, 'objects'), prefix: 'tmp_obj_' })
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

/** Reads an object, loose (native zlib, fast for large archives) or packed (isomorphic-git). */
export async function readObject(gitdir: string, oid: string): Promise<GitObject> {
  let deflated: Buffer | undefined
  try {
    deflated = await readFile(loosePath(gitdir, oid))
  } catch {
    deflated = undefined
  }
  if (deflated) {
    const raw = await inflateAsync(deflated)
    const space = raw.indexOf(0x20)
    const nul = raw.indexOf(0)
    const type = raw.subarray(0, space).toString() as ObjectType
    return { type, content: raw.subarray(nul + 1) }
  }
  const found = await git.readObject({ fs, gitdir, oid, format: 'content' })
  return { type: found.type as ObjectType, content: Buffer.from(found.object as Uint8Array) }
}
