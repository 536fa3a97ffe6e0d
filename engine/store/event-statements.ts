import type { Db } from './open-database.js'
import type { EventRow } from './rows.js'
import { statementMakers } from './statement-makers.js'

/**
 * The one write of the audit log. Both the engine's statements and the token
 * store's include it, so every change appends its event on the connection, and
 * in the transaction, that makes the change.
 */
export function prepareEventStatements(db: Db) {
  const { run } = statementMakers(db)
  return {
    insertEvent: run<Omit<EventRow, 'id'>>(`INSERT INTO events
      (time, project_id, actor, action, function_id, version, alias, details)
      VALUES (@time, @project_id, @actor, @action, @function_id, @version, @alias, @details)`),
  }
}

export type EventStatements = ReturnType<typeof prepareEventStatements>
