import { formatCommit, formatTree, TAGSTONE_SIGNATURE, TREE_MODE, type TreeEntry } from './git/object-formats.js'
import { ObjectWriter } from './git/object-writer.js'
import { PackedObjectWriter } from './pack/packed-object-writer.js'
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
/**
 * From this many files an upload's objects are written as one pack: four fsyncs instead of one per
 * object. Below it loose objects cost no more (they are written at once, their fsyncs overlap) and
 * stay the shape every other write has.
 */
export const PACK_FROM_FILES = 64

/**
 * Writes the package's blobs, trees, the archive blob and a commit on top of `parent`, all durable,
 * in one round of fsyncs (ids are known before the files are written: `ObjectWriter.add`), or as one
 * pack for a package of many files. Moves no ref: until a ref names them these objects are
 * unreachable garbage, which is what makes a crash here harmless.
 */
export async function writePackageCommit(
  gitdir: string,
  p: { files: PackageFile[]; archive: Buffer; parent: string | null; message: string; time: number },
): Promise<PackageCommit> {
  const writer = p.files.length >= PACK_FROM_FILES ? new PackedObjectWriter(gitdir) : new ObjectWriter(gitdir)
  const root: Dir = { files: [], dirs: new Map() }
  for (const file of p.files) {
    const parts = file.path.split('/')
    const name = parts.pop() as string
    dirFor(root, parts).files.push({ mode: MODES[file.kind], name, oid: writer.add('blob', file.content) })
  }
  const tree = addDir(writer, root)
  const archiveBlob = writer.add('blob', p.archive)
  const commit = writer.add('commit', commitOn(tree, p))
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

function addDir(writer: Pick<ObjectWriter, 'add'>, dir: Dir): string {
  const entries = [...dir.files]
  for (const [name, sub] of dir.dirs) entries.push({ mode: TREE_MODE, name, oid: addDir(writer, sub) })
  return writer.add('tree', formatTree(entries))
}
