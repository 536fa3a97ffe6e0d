import { corruptRepository } from '../errors.js'
import {
  type CommitFields,
  parseCommit,
  parseTag,
  parseTree,
  type TagFields,
  type TreeEntry,
} from '../git/object-formats.js'
import { type GitObject, isObjectType, type ObjectType } from '../git/object-types.js'

/**
 * The core's parsers, checked for what a walk needs and remembered per object: parsed forms hang
 * off the cached object itself, so they live exactly as long as it does.
 */
const parsedCommits = new WeakMap<GitObject, CommitFields>()
const parsedTags = new WeakMap<GitObject, TagFields & { type: ObjectType }>()
const parsedTrees = new WeakMap<GitObject, TreeEntry[]>()

export function commitLinks(object: GitObject, oid: string): CommitFields {
  let links = parsedCommits.get(object)
  if (links !== undefined) return links
  if (object.type !== 'commit') throw corruptRepository(`${oid} is a ${object.type}, not a commit`)
  links = parseCommit(object.content)
  if (links.tree === '') throw corruptRepository(`commit ${oid} has no tree`)
  parsedCommits.set(object, links)
  return links
}

export function tagTarget(object: GitObject, oid: string): TagFields & { type: ObjectType } {
  const known = parsedTags.get(object)
  if (known !== undefined) return known
  if (object.type !== 'tag') throw corruptRepository(`${oid} is a ${object.type}, not a tag`)
  const tag = parseTag(object.content)
  const type = tag.type
  if (tag.object === '' || !isObjectType(type)) throw corruptRepository(`tag ${oid} has no valid target`)
  const target = { ...tag, type }
  parsedTags.set(object, target)
  return target
}

export function treeEntries(object: GitObject, oid: string): TreeEntry[] {
  let entries = parsedTrees.get(object)
  if (entries !== undefined) return entries
  if (object.type !== 'tree') throw corruptRepository(`${oid} is a ${object.type}, not a tree`)
  entries = parseTree(object.content)
  if (entries === undefined) throw corruptRepository(`tree ${oid} is malformed`)
  parsedTrees.set(object, entries)
  return entries
}
