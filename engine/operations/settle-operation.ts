import type { EngineDeps } from '../deps.js'
import type { OperationRow } from '../store/rows.js'
import type { SettleDeps } from './operation.js'
import { appendEvents } from './operation-events.js'
import { definitionOfRow } from './registry.js'

/**
 * Settles an operation that was reserved but never confirmed, after a crash or a
 * failed git step, by its kind's definition: creates and uploads are undone (the
 * client never saw them succeed), deletes are finished (the reserve already hid
 * the thing). Each step is safe to repeat, so a crash during settling is
 * recovered the same way.
 */
export async function settleOperation(deps: SettleDeps, op: OperationRow): Promise<void> {
  const definition = definitionOfRow(op.kind)
  if (!definition) throw new Error(`unknown operation kind '${op.kind}' (#${op.id})`)
  const payload: unknown = JSON.parse(op.payload)
  await definition.settleGit(deps, op.function_id, payload)
  deps.db.transaction(() => {
    definition.settleRows(deps, op.function_id, payload)
    if (definition.finishesOnSettle && op.project_id !== null && op.actor !== null) {
      const reserved = { functionId: op.function_id, payload, state: undefined }
      appendEvents(deps, definition, reserved, undefined, { projectId: op.project_id, actor: op.actor })
    }
    deps.sql.deleteOperation({ id: op.id })
  })()
}

/** Runs before the server takes requests: settles every half-done operation. */
export async function recover(deps: EngineDeps): Promise<number> {
  const ops = deps.sql.pendingOperations()
  for (const op of ops) await settleOperation(deps, op)
  return ops.length
}
