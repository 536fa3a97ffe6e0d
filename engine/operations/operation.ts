import type { RequestContext } from '../context.js'
import type { EngineDeps } from '../deps.js'
import type { EventSpec } from '../events.js'

/** What settling needs; the admin tools settle with no engine open. */
export type SettleDeps = Pick<EngineDeps, 'db' | 'sql' | 'repos' | 'now'>

/** The types one operation passes from step to step. */
export interface OperationTypes {
  /**
   * What the caller hands `runOperation`; the function named is the one whose lock the operation holds.
   * `ifMatch` (an If-Match header) is checked by the runner in the reserve's transaction, for every kind.
   */
  input: { functionId: string; ctx: RequestContext; ifMatch?: string }
  /** What `prepare` hands the reserve. */
  plan: unknown
  /** Kept as JSON in the journal row: all that settling has after a crash. */
  payload: unknown
  /** What the reserve hands the later steps, in memory only. */
  state: unknown
  /** What the git work hands the confirm. */
  written: unknown
  result: unknown
}

/**
 * An operation's types from those it names; unnamed, the plan is the input, and
 * there is no state, nothing written for the confirm, and no result.
 */
export type StepTypes<T extends Pick<OperationTypes, 'input' | 'payload'> & Partial<OperationTypes>> = Omit<
  { plan: T['input']; state: undefined; written: void; result: void },
  keyof T
> &
  T

/** What a reserve made: the journal row's function and payload, and the state for the later steps. */
export interface Reservation<T extends OperationTypes> {
  functionId: string
  payload: T['payload']
  state: T['state']
  /**
   * The reserve made the whole change in SQLite (a metadata-only update): no journal row,
   * no git work and no confirm; its events are written in the reserve's transaction.
   */
  rowsOnly?: boolean
}

/** A `prepare` that found nothing to change: the operation ends with this result, and no journal row. */
export class AlreadyDone<R> {
  constructor(readonly result: R) {}
}

/**
 * One operation that changes both SQLite and git, step by step, in the order
 * `runOperation` runs them. Everything a crash could leave visible in git
 * (a repository made or removed, a ref moved or deleted) happens in `git`,
 * between the reserve and the confirm, so the journal row covers it.
 */
export interface OperationDefinition<T extends OperationTypes> {
  /**
   * Under the lock, before the reserve: validation and reads, and at most git
   * objects no ref names yet (garbage after a crash, so no journal row is needed).
   */
  prepare(deps: EngineDeps, input: T['input']): Promise<T['plan'] | AlreadyDone<T['result']>>
  /** Synchronous, inside the IMMEDIATE transaction that also writes the journal row: checks, then rows. */
  reserve(deps: EngineDeps, plan: T['plan']): Reservation<T>
  /** The git work, durable when it resolves. */
  git(deps: EngineDeps, reserved: Reservation<T>): Promise<T['written']>
  /** Synchronous, inside the transaction that also deletes the journal row. */
  confirm(deps: EngineDeps, reserved: Reservation<T>, written: T['written']): void
  /** What the caller gets, read after the confirm, still under the lock. */
  result(deps: EngineDeps, reserved: Reservation<T>): T['result']
  /**
   * The audit events of the change, written by the runner in the confirm's transaction (the reserve's
   * for a rows-only change). `written` is undefined for a rows-only change.
   */
  events(deps: SettleDeps, reserved: Reservation<T>, written: T['written'] | undefined): EventSpec[]
  /**
   * The current ETag of what the operation changes, which an If-Match must name; it finds the
   * thing as the reserve would (a 404 stays a 404). Without it: the function's, as its owner sees it.
   */
  etag?(deps: EngineDeps, input: T['input']): string
  /**
   * After a crash or a failed step, the git half of settling: undoes a create or
   * upload, finishes a delete. Safe to repeat, even after a crash half way through.
   */
  settleGit(deps: SettleDeps, functionId: string, payload: T['payload']): Promise<void>
  /**
   * Settling finishes this operation rather than undoing it (a delete: the reserve already hid the
   * thing), so the change happens after all and its events are written with the settle.
   */
  finishesOnSettle?: boolean
  /** The SQLite half of settling, inside the transaction that deletes the journal row. */
  settleRows(deps: SettleDeps, functionId: string, payload: T['payload']): void
}

/** A `prepare` for operations that need none: the input is the plan. */
export const planAsGiven = async <I>(_deps: EngineDeps, input: I): Promise<I> => input
