import type { EngineDeps } from '../deps.js'
import { formatTime } from '../time.js'
import { AlreadyDone, type OperationDefinition, type OperationTypes } from './operation.js'
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
  return deps.locks.run(definition.functionOf(input), () => runLocked(deps, definition, input))
}

async function runLocked<T extends OperationTypes>(
  deps: EngineDeps,
  definition: OperationDefinition<string, T>,
  input: T['input'],
): Promise<T['result']> {
  const plan = await definition.prepare(deps, input)
  if (plan instanceof AlreadyDone) return plan.result
  const { reserved, operationId } = deps.db
    .transaction(() => {
      const reserved = definition.reserve(deps, plan)
      const operationId = deps.sql.insertOperation(
        reserved.functionId,
        definition.kind,
        JSON.stringify(reserved.payload),
        formatTime(deps.now()),
      )!.id
      return { reserved, operationId }
    })
    .immediate()
  try {
    const written = await definition.git(deps, reserved)
    deps.db.transaction(() => {
      definition.confirm(deps, reserved, written)
      deps.sql.deleteOperation(operationId)
    })()
  } catch (err) {
    // A confirm that committed has closed the operation; one that threw has not.
    const op = deps.sql.pendingOperations().find((o) => o.id === operationId)
    if (op) await settleOperation(deps, op).catch(() => {})
    throw err
  }
  return definition.result(deps, reserved)
}
