import { formatCommit, formatTree, TAGSTONE_SIGNATURE, TREE_MODE, type TreeEntry } from './git/object-formats.js'
import { ObjectWriter } from './git/object-writer.js'
import type { PackageFile } from './package-files.js'

export interface PackageCommit {
  commit: string
  tree: string
  archiveBlob: string
}

interface Dir {
  files: TreeEntry[]
  dirs: Map<string, Dir>
}

const MODES = { file: '100644', executable: '100755', symlink: '120000' } as const
/** Concurrent blob writes: enough to overlap fsyncs without a storm of open files. */
const WRITE_CONCURRENCY = 16

/**
 * Writes the package's blobs, trees, the archive blob and a commit on top of
 * `parent`, all durable. Moves no ref: until a ref names them these objects are
 * unreachable garbage, which is what makes a crash here harmless.
 */
export async function writePackageCommit(
  gitdir: string,
  p: { files: PackageFile[]; archive: Buffer; parent: string | null; message: string; time: number },
): Promise<PackageCommit> {
  const writer = new ObjectWriter(gitdir)
  const root: Dir = { files: [], dirs: new Map() }
  const pending = [...p.files]
  const workers = Array.from({ length: WRITE_CONCURRENCY }, async () => {
    for (let file = pending.shift(); file; file = pending.shift()) {
      const oid = await writer.write('blob', file.content)
      const parts = file.path.split('/')
      const name = parts.pop() as string
      dirFor(root, parts).files.push({ mode: MODES[file.kind], name, oid })
    }
  })
  await Promise.all(workers)
  const tree = await writeDir(writer, root)
  const archiveBlob = await writer.write('blob', p.archive)
  const commit = await writer.write('commit', commitOn(tree, p))
  await writer.flush()
  return { commit, tree, archiveBlob }
}

type CommitFields = { parent: string | null; message: string; time: number }

const commitOn = (tree: string, c: CommitFields) =>
  formatCommit({
    tree,
    parents: c.parent ? [c.parent] : [],
    author: { ...TAGSTONE_SIGNATURE, time: c.time },
    message: c.message,
  })

/**
 * A commit of a tree already in the repository (a restored version's) on top of
 * `parent`, durable. Moves no ref, as `writePackageCommit`.
 */
export async function writeTreeCommit(gitdir: string, c: CommitFields & { tree: string }): Promise<string> {
  const writer = new ObjectWriter(gitdir)
  const commit = await writer.write('commit', commitOn(c.tree, c))
  await writer.flush()
  return commit
}

function dirFor(root: Dir, parts: string[]): Dir {
  let dir = root
  for (const part of parts) {
    let next = dir.dirs.get(part)
    if (!next) {
      next = { files: [], dirs: new Map() }
      dir.dirs.set(part, next)
    }
    dir = next
  }
  return dir
}

async function writeDir(writer: ObjectWriter, dir: Dir): Promise<string> {
  const entries = [...dir.files]
  for (const [name, sub] of dir.dirs) entries.push({ mode: TREE_MODE, name, oid: await writeDir(writer, sub) })
  return writer.write('tree', formatTree(entries))
}
