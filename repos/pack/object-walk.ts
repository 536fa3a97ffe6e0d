import { isTreeMode, SUBMODULE_MODE } from '../git/object-formats.js'
import type { ObjectType } from '../git/object-types.js'
import type { ObjectStore } from './object-store.js'
import { commitLinks, tagTarget, treeEntries } from './parse-objects.js'

export interface PlannedObject {
  oid: string
  type: ObjectType
  /** The name a tree gave it (trees and blobs), for the delta search's grouping. */
  name?: string
}

/** How many objects are read at once: enough to overlap file reads, few enough to stay small. */
const READ_BATCH = 64

/** Tag-of-tag chains longer than this are not followed (git itself stops far earlier in practice). */
const MAX_TAG_CHAIN = 16

/**
 * The objects a pack must carry: everything reachable from `wants`, minus everything reachable
 * from `haves` (objects the client proved it has), in git's usual order: commits newest first,
 * then tags, then trees and blobs. `tagsToFollow` are annotated tags that join the pack when the
 * object they point at does (the include-tag capability).
 */
export async function planPackObjects(
  store: ObjectStore,
  wants: string[],
  haves: string[],
  tagsToFollow: string[] = [],
): Promise<PlannedObject[]> {
  const excluded = new Set<string>()
  const old = await walkHistory(store, haves, excluded, new Set())
  await walkTrees(store, old, excluded, new Set())

  const included = new Set<string>()
  const fresh = await walkHistory(store, wants, included, excluded)
  await followTags(store, tagsToFollow, included, excluded, fresh.tags)
  const planned: PlannedObject[] = [
    ...fresh.commits.map((oid) => ({ oid, type: 'commit' as const })),
    ...fresh.tags.map((oid) => ({ oid, type: 'tag' as const })),
  ]
  await walkTrees(store, fresh, included, excluded, planned)
  return planned
}

interface History {
  commits: string[]
  tags: string[]
  /** Trees and blobs named directly by a start or a tag rather than by a commit. */
  trees: string[]
  blobs: string[]
}

/**
 * Walks from `starts` through tags and commit parents, stopping at anything in `stop`. Every
 * object met is added to `seen`.
 */
async function walkHistory(
  store: ObjectStore,
  starts: string[],
  seen: Set<string>,
  stop: Set<string>,
): Promise<History> {
  const history: History = { commits: [], tags: [], trees: [], blobs: [] }
  const visit = (oid: string, into: string[]): void => {
    if (stop.has(oid) || seen.has(oid)) return
    seen.add(oid)
    into.push(oid)
  }
  let frontier: string[] = []
  for (const oid of starts) visit(oid, frontier)
  while (frontier.length > 0) {
    const next: string[] = []
    for (let i = 0; i < frontier.length; i += READ_BATCH) {
      const batch = frontier.slice(i, i + READ_BATCH)
      const objects = await Promise.all(batch.map(async (oid) => await store.read(oid)))
      objects.forEach((object, index) => {
        const oid = batch[index] as string
        if (object.type === 'commit') {
          history.commits.push(oid)
          for (const parent of commitLinks(object, oid).parents) visit(parent, next)
        } else if (object.type === 'tag') {
          history.tags.push(oid)
          visit(tagTarget(object, oid).object, next)
        } else {
          // Already marked seen; walkTrees opens these trees without re-checking `seen`.
          ;(object.type === 'tree' ? history.trees : history.blobs).push(oid)
        }
      })
    }
    frontier = next
  }
  return history
}

async function followTags(
  store: ObjectStore,
  tagOids: string[],
  included: Set<string>,
  excluded: Set<string>,
  tags: string[],
): Promise<void> {
  for (const tagOid of tagOids) {
    if (included.has(tagOid) || excluded.has(tagOid)) continue
    const chain: string[] = []
    let oid = tagOid
    let object = await store.read(oid)
    while (object.type === 'tag' && chain.length < MAX_TAG_CHAIN) {
      chain.push(oid)
      oid = tagTarget(object, oid).object
      if (included.has(oid)) break
      object = await store.read(oid)
    }
    if (!included.has(oid)) continue
    for (const link of chain) {
      if (included.has(link) || excluded.has(link)) continue
      included.add(link)
      tags.push(link)
    }
  }
}

/**
 * Adds the trees and blobs under a history's commits (and the trees and blobs it names directly)
 * to `seen`, and to `out` when given, skipping whatever `stop` holds. A tree already seen is not
 * opened again: everything under it is already accounted for.
 */
async function walkTrees(
  store: ObjectStore,
  history: History,
  seen: Set<string>,
  stop: Set<string>,
  out?: PlannedObject[],
): Promise<void> {
  const pending: string[] = []
  const addTree = (oid: string, name?: string): void => {
    if (seen.has(oid) || stop.has(oid)) return
    seen.add(oid)
    out?.push(name === undefined ? { oid, type: 'tree' } : { oid, type: 'tree', name })
    pending.push(oid)
  }
  for (let i = 0; i < history.commits.length; i += READ_BATCH) {
    const batch = history.commits.slice(i, i + READ_BATCH)
    const commits = await Promise.all(batch.map(async (oid) => await store.read(oid)))
    commits.forEach((commit, index) => {
      addTree(commitLinks(commit, batch[index] as string).tree)
    })
  }
  for (const oid of history.trees) {
    out?.push({ oid, type: 'tree' })
    pending.push(oid)
  }
  for (const oid of history.blobs) out?.push({ oid, type: 'blob' })
  // `pending` grows while it is read: subtrees found in one batch are read in a later one.
  for (let next = 0; next < pending.length;) {
    const batch = pending.slice(next, next + READ_BATCH)
    next += batch.length
    const trees = await Promise.all(batch.map(async (oid) => await store.read(oid)))
    trees.forEach((tree, index) => {
      for (const entry of treeEntries(tree, batch[index] as string)) {
        if (isTreeMode(entry.mode)) {
          addTree(entry.oid, entry.name)
        } else if (entry.mode !== SUBMODULE_MODE && !seen.has(entry.oid) && !stop.has(entry.oid)) {
          // Blobs only: a submodule link names a commit of another repository, nothing of ours.
          seen.add(entry.oid)
          out?.push({ oid: entry.oid, type: 'blob', name: entry.name })
        }
      }
    })
  }
}
