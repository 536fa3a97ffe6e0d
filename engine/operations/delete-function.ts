import { findFunctionToDelete } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { functionEtag } from '../present.js'
import { type OperationDefinition, planAsGiven, type StepTypes } from './operation.js'
import { removeFunction } from './remove-function.js'

type DeleteFunction = StepTypes<{
  input: { ctx: RequestContext; functionId: string; ifMatch?: string }
  payload: Record<string, never>
}>

/**
 * Deletes a function with its versions and repository; refused while an alias
 * points at it. The reserve hides it ('deleting'), so after a crash it is finished.
 */
export const deleteFunction: OperationDefinition<DeleteFunction> = {
  prepare: planAsGiven,

  reserve(deps, { ctx, functionId }) {
    const fn = findFunctionToDelete(deps, ctx, functionId)
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
  finishesOnSettle: true,
  events: (_deps, { functionId }) => [{ action: 'function.delete', functionId }],
  etag: (deps, { ctx, functionId }) => functionEtag(findFunctionToDelete(deps, ctx, functionId)),

  ...removeFunction,
}
