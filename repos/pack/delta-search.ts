import type { ObjectType } from '../git/object-types.js'
import { createDelta, type DeltaIndex, indexBase } from './create-delta.js'
import type { PlannedObject } from './object-walk.js'

/** How hard to look for deltas: git's `--window` and `--depth`, and bounds of our own. */
export interface DeltaSearchOptions {
  /** Objects before the current one (in the sorted order) tried as its base; git's default is 10. */
  window: number
  /** Longest chain of deltas on deltas; git's default is 50. */
  depth: number
  /** Objects bigger than this are neither searched nor used as bases (git's big-file rule). */
  maxObjectBytes: number
  /** Searching stops after this long; the objects not reached yet are sent whole. */
  budgetMs: number
  /**
   * Objects already in a pack keep their stored form and are no one's new base (git's pack-objects
   * without `-f`): only loose objects are searched. For serving, where a repack did the searching.
   */
  reusePacked?: boolean
}

export const DEFAULT_DELTA_SEARCH: DeltaSearchOptions = {
  window: 10,
  depth: 50,
  maxObjectBytes: 16 * 1024 * 1024,
  budgetMs: 30_000,
}

/**
 * A clone or fetch of a repository with loose objects (written since its last pack): those are
 * searched, a few seconds at most on one request (the pack is cached for the next), the rest reused.
 * A window of 2, not 10: in the search's order (type, path, size) a version's file sits next to the
 * versions nearest it in size, so the nearest bases already give the small deltas. Measured on 100
 * versions of a 1 MiB package (bench/pack.ts): the same bytes sent as with 10 (1.08x C git), cold
 * clone 2.1x C git instead of 3.6x. Packing (`admin gc`, background) still searches with 10.
 */
export const SERVING_DELTA_SEARCH: DeltaSearchOptions = {
  ...DEFAULT_DELTA_SEARCH,
  window: 2,
  budgetMs: 5_000,
  reusePacked: true,
}

/** One object as the search sees it: its content is read by the caller, in the search's order. */
export interface SearchObject extends PlannedObject {
  size: number
}

export interface FoundDelta {
  baseOid: string
  delta: Buffer
}

/** Objects smaller than this gain nothing from a delta that is worth its header. */
const MIN_DELTA_TARGET = 50
/** The event loop gets a turn this often while a search runs, so requests keep flowing. */
const YIELD_EVERY_MS = 20

/**
 * Git's name hash: groups objects by the end of their path, so that the versions of one file sit
 * next to each other in the sorted order, and files of one name in different folders near them.
 */
export function nameHash(name: string | undefined): number {
  if (name === undefined) return 0
  let hash = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue
    hash = ((hash >>> 2) + ((c & 0xff) << 24)) >>> 0
  }
  return hash
}

const TYPE_RANK: Record<ObjectType, number> = { tag: 0, blob: 1, tree: 2, commit: 3 }

/**
 * The order git's delta search walks objects in: by type, then name hash, then size, biggest
 * first (a delta that deletes is smaller than one that inserts), then as planned.
 */
export function searchOrder<T extends SearchObject>(objects: T[]): T[] {
  const hashes = new Map(objects.map((object) => [object, nameHash(object.name)]))
  const position = new Map(objects.map((object, index) => [object, index]))
  return [...objects].sort(
    (a, b) =>
      TYPE_RANK[a.type] - TYPE_RANK[b.type] ||
      (hashes.get(b) ?? 0) - (hashes.get(a) ?? 0) ||
      b.size - a.size ||
      (position.get(a) ?? 0) - (position.get(b) ?? 0),
  )
}

interface WindowEntry {
  object: SearchObject
  content: Buffer
  depth: number
  index?: DeltaIndex
}

/**
 * The sliding-window delta search: each object in `ordered` (already in `searchOrder`) is tried
 * against the `window` objects of its type before it, and keeps the smallest delta found, if any
 * is smaller than half the object. `skip` names objects that keep the form they are stored in
 * (a stored delta): they are neither searched nor used as bases. `read` gives an object's content.
 */
export async function searchDeltas(
  ordered: SearchObject[],
  read: (object: SearchObject) => Promise<Buffer>,
  skip: ReadonlySet<string>,
  options: DeltaSearchOptions = DEFAULT_DELTA_SEARCH,
): Promise<Map<string, FoundDelta>> {
  const found = new Map<string, FoundDelta>()
  const window: WindowEntry[] = []
  const started = performance.now()
  let lastYield = started
  for (const object of ordered) {
    const now = performance.now()
    if (now - started > options.budgetMs) break
    if (now - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      lastYield = performance.now()
    }
    if (skip.has(object.oid) || object.size > options.maxObjectBytes) continue
    const content = await read(object)
    const entry: WindowEntry = { object, content, depth: 0 }
    if (content.length >= MIN_DELTA_TARGET) {
      let best: { base: WindowEntry; delta: Buffer } | undefined
      let maxSize = Math.floor(content.length / 2) - 20
      for (let i = window.length - 1; i >= 0; i--) {
        const base = window[i] as WindowEntry
        if (base.object.type !== object.type || base.depth >= options.depth) continue
        // Git's cheap refusals: a base far smaller, or a size gap alone bigger than the best so far.
        if (content.length < base.content.length / 32) continue
        if (content.length - base.content.length >= maxSize) continue
        base.index ??= indexBase(base.content)
        const delta = createDelta(base.index, content, maxSize)
        if (delta !== undefined && (best === undefined || delta.length < best.delta.length)) {
          best = { base, delta }
          maxSize = delta.length - 1
        }
      }
      if (best !== undefined) {
        found.set(object.oid, { baseOid: best.base.object.oid, delta: best.delta })
        entry.depth = best.base.depth + 1
      }
    }
    window.push(entry)
    if (window.length > options.window) window.shift()
  }
  return found
}
