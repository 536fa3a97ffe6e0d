import type { RequestContext } from '../context.js'
import { appendEvent } from '../events.js'
import type { OperationDefinition, OperationTypes, Reservation, SettleDeps } from './operation.js'

/**
 * Writes the events an operation's definition states, for `who`: in the
 * confirm's transaction when it runs, in the settle's when settling finishes it.
 */
export function appendEvents<T extends OperationTypes>(
  deps: SettleDeps,
  definition: OperationDefinition<T>,
  reserved: Reservation<T>,
  written: T['written'] | undefined,
  who: Pick<RequestContext, 'projectId' | 'actor'>,
): void {
  const at = deps.now()
  for (const e of definition.events(deps, reserved, written)) appendEvent(deps.sql, who, at, e)
}
