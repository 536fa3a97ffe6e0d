import { isTreeMode, parseTree, type TreeEntry } from '../git/object-formats.js'
import type { GitObject } from '../git/object-types.js'

/** One path whose blob or mode differs; null on the side where the path is not a file. */
export interface TreeChange {
  path: string
  oldMode: string | null
  newMode: string | null
  oldOid: string | null
  newOid: string | null
}

export type ObjectReader = (oid: string) => Promise<GitObject>

/**
 * The files that differ between two trees, sorted by path. Subtrees with the
 * same id are equal and never read, so two versions of a big package that
 * differ in one file cost the trees on that file's path. A path that is a file
 * on one side and a directory on the other is the file deleted (or added) and
 * each file below the directory added (or deleted), as git shows it.
 */
export async function diffTrees(read: ObjectReader, a: string | null, b: string | null): Promise<TreeChange[]> {
  const changes: TreeChange[] = []
  await walk(read, a, b, '', changes)
  return changes.sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)))
}

async function walk(
  read: ObjectReader,
  a: string | null,
  b: string | null,
  prefix: string,
  out: TreeChange[],
): Promise<void> {
  if (a === b) return
  const [left, right] = await Promise.all([entriesOf(read, a), entriesOf(read, b)])
  for (const name of new Set([...left.keys(), ...right.keys()])) {
    const path = `${prefix}${name}`
    const x = left.get(name)
    const y = right.get(name)
    const xTree = x !== undefined && isTreeMode(x.mode)
    const yTree = y !== undefined && isTreeMode(y.mode)
    if (xTree || yTree) await walk(read, xTree ? x.oid : null, yTree ? y.oid : null, `${path}/`, out)
    const xFile = x !== undefined && !xTree ? x : undefined
    const yFile = y !== undefined && !yTree ? y : undefined
    if ((xFile || yFile) && (xFile?.oid !== yFile?.oid || xFile?.mode !== yFile?.mode)) {
      out.push({
        path,
        oldMode: xFile?.mode ?? null,
        newMode: yFile?.mode ?? null,
        oldOid: xFile?.oid ?? null,
        newOid: yFile?.oid ?? null,
      })
    }
  }
}

async function entriesOf(read: ObjectReader, oid: string | null): Promise<Map<string, TreeEntry>> {
  if (oid === null) return new Map()
  const obj = await read(oid)
  const entries = obj.type === 'tree' ? parseTree(obj.content) : undefined
  if (!entries) throw new Error(`object ${oid} is not a readable tree`)
  return new Map(entries.map((e) => [e.name, e]))
}
