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

type Upload = NewHead<{ ctx: RequestContext; functionId: string; ifMatch?: string; input: FunctionInput }>

const FIELDS = ['name', 'description', 'entry', 'cpu', 'memory_size', 'timeout', 'version_retention'] as const

/**
 * Changes a function's metadata, its package, or both, atomically. A package
 * whose bytes equal the current one changes nothing, and metadata alone is
 * written by the reserve with no journal; new bytes make a commit, written
 * before the reserve (no ref names it yet) and published on `main` after it.
 * Undone after a crash.
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
    const newBytes = prepared && prepared.md5sum !== current.md5sum ? prepared : undefined
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
      version_retention: fields.version_retention ?? fn.version_retention,
      updated_at: formatTime(at),
    }
    const changed: string[] = FIELDS.filter((k) => merged[k] !== fn[k])
    if (!newBytes && changed.length === 0) return new AlreadyDone(presentFunctionById(deps, fn.id))
    const pkg = newBytes && (await writeUpload(deps, fn.id, newBytes, fn.head_commit, at))
    const details = pkg ? { changed: [...changed, 'package'], md5sum: pkg.md5sum, commit: pkg.commit_oid } : { changed }
    return { fn, pkg, fields: merged, event: { action: 'function.update', functionId: fn.id, details } }
  },

  ...publishNewHead(),
}
