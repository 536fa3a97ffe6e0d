import { packRefs } from '../repos/git/refs.js'
import { repack, type RepackResult } from '../repos/pack/repack.js'
import type { EngineDeps } from './deps.js'

/** What a background pack did (objects, and refs moved into `packed-refs`), or why it failed: for the server's log. */
export type PackReport = (functionId: string, outcome: (RepackResult & { refsPacked: number }) | Error) => void

/**
 * Packs a function's loose objects once its writes have settled: `settleMs` after the last change
 * that wrote to git, with none since. Incremental (`git repack -d` without `-a`): the loose objects
 * go into a pack of their own, and all packs merge into one with a fresh delta search once there are
 * too many; then the loose refs go into `packed-refs`. One repository at a time, so requests keep
 * the other core. Safe at any moment for the same reasons as `tagstone admin gc` (see
 * repos/pack/repack.ts); the removal of the loose objects and the move of the refs run under the
 * function's lock, so no write of that function is under way meanwhile.
 */
export class BackgroundPacker {
  private readonly due = new Map<string, NodeJS.Timeout>()
  private queue: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly deps: Pick<EngineDeps, 'repos' | 'locks'>,
    private readonly settleMs: number,
    private readonly report: PackReport = () => {},
  ) {}

  /** A change of `functionId` reached git: (re)starts its quiet period. */
  noteWrite(functionId: string): void {
    if (this.settleMs <= 0 || this.stopped) return
    const key = functionId.toLowerCase()
    clearTimeout(this.due.get(key))
    const timer = setTimeout(() => {
      this.due.delete(key)
      this.queue = this.queue.then(() => this.pack(key))
    }, this.settleMs)
    // A pending pack never keeps the process alive: it is only an optimisation.
    timer.unref()
    this.due.set(key, timer)
  }

  /** Schedules nothing more and waits for a pack under way. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.due.values()) clearTimeout(timer)
    this.due.clear()
    await this.queue
  }

  private async pack(functionId: string): Promise<void> {
    if (this.stopped || !(await this.deps.repos.exists(functionId))) return
    try {
      const gitdir = this.deps.repos.gitdir(functionId)
      const exclusive = <T>(work: () => Promise<T>) => this.deps.locks.run(functionId, work)
      const result = await repack(gitdir, { all: false, exclusive })
      // Refs too: under the lock, since every ref write of this process takes it.
      const refsPacked = result.status === 'busy' ? 0 : await exclusive(() => packRefs(gitdir))
      this.report(functionId, { ...result, refsPacked })
    } catch (err) {
      this.report(functionId, err instanceof Error ? err : new Error(String(err)))
    }
  }
}
