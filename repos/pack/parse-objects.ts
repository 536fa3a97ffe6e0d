import { corruptRepository } from '../errors.js'
import { type GitObject, isObjectType, type ObjectType } from './object-types.js'

export interface CommitLinks {
  tree: string
  parents: string[]
}
export interface TagTarget {
  object: string
  type: ObjectType
}
export interface TreeEntry {
  oid: string
  type: 'tree' | 'blob'
}

// Parsed forms hang off the cached object itself, so they live exactly as long as it does.
const parsedCommits = new WeakMap<GitObject, CommitLinks>()
const parsedTags = new WeakMap<GitObject, TagTarget>()
const parsedTrees = new WeakMap<GitObject, TreeEntry[]>()

/** The header lines of a commit or tag, up to the blank line before the message. */
function headerLines(content: Buffer): string[] {
  const end = content.indexOf('\n\n')
  return content.toString('utf8', 0, end < 0 ? content.length : end).split('\n')
}

export function commitLinks(object: GitObject, oid: string): CommitLinks {
  let links = parsedCommits.get(object)
  if (links !== undefined) return links
  if (object.type !== 'commit') throw corruptRepository(`${oid} is a ${object.type}, not a commit`)
  let tree: string | undefined
  const parents: string[] = []
  for (const line of headerLines(object.content)) {
    if (line.startsWith('tree ')) tree = line.slice(5)
    else if (line.startsWith('parent ')) parents.push(line.slice(7))
  }
  if (tree === undefined) throw corruptRepository(`commit ${oid} has no tree`)
  links = { tree, parents }
  parsedCommits.set(object, links)
  return links
}

export function tagTarget(object: GitObject, oid: string): TagTarget {
  let target = parsedTags.get(object)
  if (target !== undefined) return target
  if (object.type !== 'tag') throw corruptRepository(`${oid} is a ${object.type}, not a tag`)
  let targetOid: string | undefined
  let type: string | undefined
  for (const line of headerLines(object.content)) {
    if (line.startsWith('object ')) targetOid = line.slice(7)
    else if (line.startsWith('type ')) type = line.slice(5)
  }
  if (targetOid === undefined || type === undefined || !isObjectType(type)) {
    throw corruptRepository(`tag ${oid} has no valid target`)
  }
  target = { object: targetOid, type }
  parsedTags.set(object, target)
  return target
}

/** The entries a walk follows: subtrees and blobs. Submodule links name foreign commits; skipped. */
export function treeEntries(object: GitObject, oid: string): TreeEntry[] {
  let entries = parsedTrees.get(object)
  if (entries !== undefined) return entries
  if (object.type !== 'tree') throw corruptRepository(`${oid} is a ${object.type}, not a tree`)
  entries = []
  const content = object.content
  let at = 0
  while (at < content.length) {
    const space = content.indexOf(0x20, at)
    const nul = content.indexOf(0, space + 1)
    if (space < 0 || nul < 0 || nul + 21 > content.length) {
      throw corruptRepository(`tree ${oid} is malformed`)
    }
    const mode = content.toString('latin1', at, space)
    const entryOid = content.toString('hex', nul + 1, nul + 21)
    if (mode === '40000' || mode === '040000') entries.push({ oid: entryOid, type: 'tree' })
    else if (mode !== '160000') entries.push({ oid: entryOid, type: 'blob' })
    at = nul + 21
  }
  parsedTrees.set(object, entries)
  return entries
}
