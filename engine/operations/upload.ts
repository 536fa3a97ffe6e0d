import { findFunction } from '../access.js'
import type { RequestContext } from '../context.js'
import { EngineError } from '../errors.js'
import { parseCode, parseFunctionFields } from '../function-fields.js'
import type { FunctionInput } from '../functions.js'
import { preparePackage } from '../prepare-package.js'
import { currentPackage } from '../present.js'
import { formatTime, wholeSeconds } from '../time.js'
import { AlreadyDone, type OperationDefinition } from './operation.js'
import { type NewHead, presentFunctionById, publishNewHead, writeUpload } from './write-upload.js'

type Upload = NewHead<{ ctx: RequestContext; functionId: string; input: FunctionInput }>

/**
 * Changes a function's metadata, its package, or both, atomically. A package
 * whose bytes equal the current one changes nothing, and metadata alone needs
 * no journal; new bytes make a commit, written before the reserve (no ref names
 * it yet) and published on `main` after it. Undone after a crash.
 */
export const upload: OperationDefinition<Upload> = {
  async prepare(deps, { ctx, functionId, input }) {
    const fn = findFunction(deps, ctx, functionId, 'own')
    const fields = parseFunctionFields(input.fields, deps.limits)
    const code = parseCode(input.code)
    const current = currentPackage(deps, fn)
    if (code.md5sum && code.md5sum === current.md5sum) {
      throw new EngineError('CHECKSUM_NOT_CHANGED', 'The function code checksum is not changed.')
    }
    const prepared = input.package ? await preparePackage(input.package, code, deps.limits) : undefined
    if (!prepared && code.md5sum) {
      throw new EngineError('PACKAGE_REQUIRED', 'A new md5sum needs a new package (multipart file "package").')
    }
    const changed = prepared && prepared.md5sum !== current.md5sum ? prepared : undefined
    const at = wholeSeconds(deps.now())
    const merged = {
      id: fn.id,
      name: fields.name ?? fn.name,
      description: fields.description ?? fn.description,
      runtime_id: fn.runtime_id,
      entry: fields.entry ?? fn.entry,
      cpu: fields.cpu ?? fn.cpu,
      memory_size: fields.memory_size ?? fn.memory_size,
      timeout: fields.timeout ?? fn.timeout,
      updated_at: formatTime(at),
    }
    const fieldsChanged = (['name', 'description', 'entry', 'cpu', 'memory_size', 'timeout'] as const).some(
      (k) => merged[k] !== fn[k],
    )
    if (!changed) {
      if (fieldsChanged) deps.sql.updateFunctionFields(merged)
      return new AlreadyDone(presentFunctionById(deps, fn.id))
    }
    const pkg = await writeUpload(deps, fn.id, changed, fn.head_commit, at)
    return { fn, pkg, fields: merged }
  },

  ...publishNewHead(),
}
