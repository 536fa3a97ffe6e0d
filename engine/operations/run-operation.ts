import type { EngineDeps } from '../deps.js'
import { formatTime } from '../time.js'
import { AlreadyDone, type OperationDefinition, type OperationTypes, type Reservation } from './operation.js'
import { definitionOf, type InputOf, type OperationKind, type ResultOf } from './registry.js'
import { settleOperation } from './settle-operation.js'

/**
 * Runs one operation under its function's lock: prepare, then the reserve with
 * its journal row in one IMMEDIATE transaction, the git work, and the confirm
 * that deletes the journal row in the same transaction. If the git work or the
 * confirm fails, the operation is settled at once and the error rethrown; a
 * settle that fails too leaves the journal row for start-up recovery.
 */
export function runOperation<K extends OperationKind>(
  deps: EngineDeps,
  kind: K,
  input: InputOf<K>,
): Promise<ResultOf<K>> {
  const definition = definitionOf(kind)
  return deps.locks.run(input.functionId, () => runLocked(deps, kind, definition, input))
}

async function runLocked<T extends OperationTypes>(
  deps: EngineDeps,
  kind: string,
  definition: OperationDefinition<T>,
  input: T['input'],
): Promise<T['result']> {
  const plan = await definition.prepare(deps, input)
  if (plan instanceof AlreadyDone) return plan.result
  const reserved = reserveOperation(deps, kind, definition, plan)
  try {
    confirmOperation(deps, definition, reserved, await definition.git(deps, reserved))
  } catch (err) {
    // A confirm that committed has closed the operation; one that threw has not.
    const op = deps.sql.operationById({ id: reserved.operationId })
    if (op) await settleOperation(deps, op).catch(() => {})
    throw err
  }
  return definition.result(deps, reserved)
}

/** A reservation with the id of the journal row that covers it. */
export type Journaled<T extends OperationTypes> = Reservation<T> & { operationId: number }

/** The reserve, and the journal row naming what settling needs, committed together. */
export function reserveOperation<T extends OperationTypes>(
  deps: EngineDeps,
  kind: string,
  definition: OperationDefinition<T>,
  plan: T['plan'],
): Journaled<T> {
  return deps.db
    .transaction(() => {
      const reserved = definition.reserve(deps, plan)
      const row = deps.sql.insertOperation({
        function_id: reserved.functionId,
        kind,
        payload: JSON.stringify(reserved.payload),
        created_at: formatTime(deps.now()),
      })
      return { ...reserved, operationId: row.id }
    })
    .immediate()
}

/** The confirm, and the deletion of the journal row, committed together. */
export function confirmOperation<T extends OperationTypes>(
  deps: EngineDeps,
  definition: OperationDefinition<T>,
  reserved: Journaled<T>,
  written: T['written'],
): void {
  deps.db.transaction(() => {
    definition.confirm(deps, reserved, written)
    deps.sql.deleteOperation({ id: reserved.operationId })
  })()
}
