import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import type { EngineDeps } from '../deps.js'
import { requireIfMatch } from '../etags.js'
import { functionEtag } from '../present.js'
import { formatTime } from '../time.js'
import { AlreadyDone, type OperationDefinition, type OperationTypes, type Reservation } from './operation.js'
import { appendEvents } from './operation-events.js'
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
  if (plan instanceof AlreadyDone) {
    // Nothing changes, yet a request made against a stale state is refused all the same.
    checkIfMatch(deps, definition, input)
    return plan.result
  }
  const reserved = reserveOperation(deps, kind, definition, plan, input)
  const operationId = reserved.operationId
  if (operationId === null) return definition.result(deps, reserved)
  try {
    confirmOperation(deps, definition, { ...reserved, operationId }, await definition.git(deps, reserved))
  } catch (err) {
    // A confirm that committed has closed the operation; one that threw has not.
    const op = deps.sql.operationById({ id: operationId })
    if (op) await settleOperation(deps, op).catch(() => {})
    throw err
  }
  deps.packer.noteWrite(reserved.functionId)
  return definition.result(deps, reserved)
}

/** A reservation with the id of the journal row that covers it (null: rows only), and who asked for it. */
export type Journaled<T extends OperationTypes> = Reservation<T> & { operationId: number | null; ctx: RequestContext }

/**
 * The If-Match check, the reserve, and the journal row naming what settling
 * needs, committed together. The check runs inside the IMMEDIATE transaction,
 * under the function's lock, so of clients racing with one ETag exactly one
 * passes: the others see the state the winner made.
 */
export function reserveOperation<T extends OperationTypes>(
  deps: EngineDeps,
  kind: string,
  definition: OperationDefinition<T>,
  plan: T['plan'],
  input: T['input'],
): Journaled<T> {
  return deps.db
    .transaction((): Journaled<T> => {
      checkIfMatch(deps, definition, input)
      const reserved = definition.reserve(deps, plan)
      if (reserved.rowsOnly) {
        appendEvents(deps, definition, reserved, undefined, input.ctx)
        return { ...reserved, operationId: null, ctx: input.ctx }
      }
      const row = deps.sql.insertOperation({
        function_id: reserved.functionId,
        kind,
        payload: JSON.stringify(reserved.payload),
        created_at: formatTime(deps.now()),
        project_id: input.ctx.projectId,
        actor: input.ctx.actor,
      })
      return { ...reserved, operationId: row.id, ctx: input.ctx }
    })
    .immediate()
}

/** The confirm, its audit events, and the deletion of the journal row, committed together. */
export function confirmOperation<T extends OperationTypes>(
  deps: EngineDeps,
  definition: OperationDefinition<T>,
  reserved: Journaled<T> & { operationId: number },
  written: T['written'],
): void {
  deps.db.transaction(() => {
    definition.confirm(deps, reserved, written)
    appendEvents(deps, definition, reserved, written, reserved.ctx)
    deps.sql.deleteOperation({ id: reserved.operationId })
  })()
}

function checkIfMatch<T extends OperationTypes>(
  deps: EngineDeps,
  definition: OperationDefinition<T>,
  input: T['input'],
): void {
  requireIfMatch(input.ifMatch, () =>
    definition.etag
      ? definition.etag(deps, input)
      : functionEtag(findFunction(deps, input.ctx, input.functionId, 'own')),
  )
}
