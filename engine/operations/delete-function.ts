import { findFunctionToDelete } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { type OperationDefinition, planAsGiven } from './operation.js'
import { removeFunction } from './remove-function.js'

interface DeleteFunction {
  input: { ctx: RequestContext; id: string }
  plan: { ctx: RequestContext; id: string }
  payload: Record<string, never>
  state: undefined
  written: void
  result: void
}

/**
 * Deletes a function with its versions and repository; refused while an alias
 * points at it. The reserve hides it ('deleting'), so after a crash it is finished.
 */
export const deleteFunction: OperationDefinition<'delete-function', DeleteFunction> = {
  kind: 'delete-function',
  functionOf: ({ id }) => id,
  prepare: planAsGiven,

  reserve(deps, { ctx, id }) {
    const fn = findFunctionToDelete(deps, ctx, id)
    const aliases = deps.sql.aliasesOfFunction({ function_id: fn.id })
    if (aliases.length > 0) {
      throw new EngineError(
        'FUNCTION_IN_USE',
        `Function ${fn.id} is used by alias(es) ${aliases.map((a) => a.name).join(', ')}; delete or move them first.`,
      )
    }
    deps.sql.setFunctionState({ id: fn.id, state: 'deleting' })
    return { functionId: fn.id, payload: {}, state: undefined }
  },

  git: (deps, { functionId }) => removeFunction.settleGit(deps, functionId),
  confirm: (deps, { functionId }) => removeFunction.settleRows(deps, functionId),
  result: () => {},

  ...removeFunction,
}
