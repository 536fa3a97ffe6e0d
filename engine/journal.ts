import type { EngineDeps } from './deps.js'
import { formatTime } from './time.js'

/** The kinds of operation that touch SQLite and git, and what recovery needs to know of each. */
export interface OperationPayloads {
  'create-function': Record<string, never>
  upload: { commit: string; previous: string | null }
  'create-version': { versionId: string; number: number; commit: string }
  'delete-version': { versionId: string; number: number }
  'delete-function': Record<string, never>
}
export type OperationKind = keyof OperationPayloads

/** Records an operation inside the caller's reserve transaction; returns its id for `endOperation`. */
export function beginOperation<K extends OperationKind>(
  deps: EngineDeps,
  functionId: string,
  kind: K,
  payload: OperationPayloads[K],
): number {
  const row = deps.sql.insertOperation(functionId, kind, JSON.stringify(payload), formatTime(deps.now()))
  return row!.id
}

/** Closes an operation inside the caller's confirm transaction. */
export function endOperation(deps: Pick<EngineDeps, 'sql'>, id: number): void {
  deps.sql.deleteOperation(id)
}
