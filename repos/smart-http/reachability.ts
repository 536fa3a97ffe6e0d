import { commitLinks } from '../pack/parse-objects.js'
import { peel, type RepositoryState } from './repository-state.js'

const reachableByState = new WeakMap<RepositoryState, Promise<Set<string>>>()

/** Every commit the public refs reach, computed once per repository state. */
export async function reachableCommits(state: RepositoryState): Promise<Set<string>> {
  let reachable = reachableByState.get(state)
  if (reachable === undefined) {
    reachable = walkCommits(state)
    reachableByState.set(state, reachable)
    reachable.catch(() => {
      reachableByState.delete(state)
    })
  }
  return await reachable
}

/**
 * Whether an object belongs to the public history: an advertised tip, or a commit the public
 * refs reach. Only these may be wanted, and only these are acknowledged as common, so that a
 * client can neither fetch a hidden object nor learn that one exists (say, by sending `have` with
 * the hash of an uploaded zip).
 */
export async function isPublic(state: RepositoryState, oid: string): Promise<boolean> {
  if (state.headOid === oid || state.refs.some((ref) => ref.oid === oid)) return true
  return (await reachableCommits(state)).has(oid)
}

async function walkCommits(state: RepositoryState): Promise<Set<string>> {
  const seen = new Set<string>()
  const stack: string[] = []
  for (const ref of state.refs) {
    const target = ref.peeled ?? (await peel(state.store, ref.oid))
    if ((await state.store.read(target)).type === 'commit') stack.push(target)
  }
  for (let oid = stack.pop(); oid !== undefined; oid = stack.pop()) {
    if (seen.has(oid)) continue
    seen.add(oid)
    for (const parent of commitLinks(await state.store.read(oid), oid).parents) {
      if (!seen.has(parent)) stack.push(parent)
    }
  }
  return seen
}
