import type { ObjectStore } from '../pack/object-store.js'
import { commitLinks } from '../pack/parse-objects.js'
import type { ClientOptions } from './capabilities.js'
import { encodePktLine } from './pkt-line.js'
import { peel } from './repository-state.js'

export interface NegotiationResult {
  /** ACK/NAK pkt-lines, in the order git's own upload-pack would write them. */
  lines: Buffer[]
  /** Haves we also have: everything reachable from them stays out of the pack. */
  common: string[]
}

/**
 * Answers one stateless request's haves as `git upload-pack` does (get_common_commits), for
 * both plain v0 (a single `ACK <oid>` for the first common object, `NAK` otherwise) and
 * multi_ack_detailed (`ACK <oid> common` for each, `ACK <oid> ready` once every want reaches a
 * common commit, `NAK` ending every round, a final `ACK <oid>` after done). Stateless means every
 * request starts from scratch: the client replays the haves it learnt were common. `isKnown` says
 * which objects count as ours: git accepts any object it has, we only public history.
 */
export async function negotiate(
  store: ObjectStore,
  wants: string[],
  haves: string[],
  done: boolean,
  options: ClientOptions,
  isKnown: (oid: string) => Promise<boolean>,
): Promise<NegotiationResult> {
  const lines: Buffer[] = []
  const common: string[] = []
  const theyHave = new Set<string>()
  const giveUp = new GiveUpCheck(store, wants, theyHave)
  let last: string | undefined
  let gotCommon = false
  let gotOther = false
  for (const oid of haves) {
    if (!(await isKnown(oid))) {
      gotOther = true
      if (options.multiAckDetailed && common.length > 0 && (await giveUp.ok())) {
        lines.push(encodePktLine(`ACK ${oid} ready\n`))
      }
      continue
    }
    gotCommon = true
    last = oid
    const object = await store.read(oid)
    let alreadyKnown = false
    if (object.type === 'commit') {
      alreadyKnown = theyHave.has(oid)
      theyHave.add(oid)
      for (const parent of commitLinks(object, oid).parents) theyHave.add(parent)
    }
    if (!alreadyKnown) common.push(oid)
    if (options.multiAckDetailed) {
      lines.push(encodePktLine(`ACK ${oid} common\n`))
    } else if (!alreadyKnown && common.length === 1) {
      // git's upload-pack would repeat this ACK for a later have it already knew (a parent of
      // this one); a plain client reads one ACK per round, so the repeat would be left unread.
      lines.push(encodePktLine(`ACK ${oid}\n`))
    }
  }
  if (done) {
    if (last !== undefined && common.length > 0) {
      if (options.multiAckDetailed) lines.push(encodePktLine(`ACK ${last}\n`))
    } else {
      lines.push(encodePktLine('NAK\n'))
    }
    return { lines, common }
  }
  if (options.multiAckDetailed && gotCommon && !gotOther && common.length > 0 && (await giveUp.ok())) {
    lines.push(encodePktLine(`ACK ${last ?? ''} ready\n`))
  }
  if (common.length === 0 || options.multiAckDetailed) lines.push(encodePktLine('NAK\n'))
  return { lines, common }
}

/**
 * "Every want reaches something the client has": once true, more haves cannot shrink the pack
 * much, and the client may stop negotiating. Wants already known to reach stay satisfied.
 */
class GiveUpCheck {
  readonly #pending: Promise<string[]>

  constructor(
    readonly store: ObjectStore,
    wants: string[],
    readonly theyHave: Set<string>,
  ) {
    this.#pending = Promise.all(wants.map(async (want) => await peel(store, want)))
  }

  #unsatisfied: string[] | undefined

  async ok(): Promise<boolean> {
    if (this.#unsatisfied === undefined) {
      const peeled = await this.#pending
      const commits = await Promise.all(
        peeled.map(async (oid) => ((await this.store.read(oid)).type === 'commit' ? oid : undefined)),
      )
      this.#unsatisfied = commits.filter((oid): oid is string => oid !== undefined)
    }
    const still: string[] = []
    for (const want of this.#unsatisfied) {
      if (!(await this.#reaches(want))) still.push(want)
    }
    this.#unsatisfied = still
    return still.length === 0
  }

  async #reaches(start: string): Promise<boolean> {
    const seen = new Set([start])
    const stack = [start]
    for (let oid = stack.pop(); oid !== undefined; oid = stack.pop()) {
      if (this.theyHave.has(oid)) return true
      for (const parent of commitLinks(await this.store.read(oid), oid).parents) {
        if (!seen.has(parent)) {
          seen.add(parent)
          stack.push(parent)
        }
      }
    }
    return false
  }
}
