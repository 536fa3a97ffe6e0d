import { createHash } from 'node:crypto'

import { readBlob } from '../repos/package-refs.js'
import type { EngineDeps } from './deps.js'
import type { PackageRow } from './store/rows.js'

/**
 * A package's archive bytes, from the cache or from git. Bytes read from git are
 * checked against the recorded md5 so a damaged repository is never served as if
 * it were the upload.
 */
export async function readPackageBytes(deps: EngineDeps, pkg: PackageRow): Promise<Buffer> {
  const cached = deps.archives.get(pkg.archive_blob)
  if (cached) return cached
  const bytes = await readBlob(deps.repos.gitdir(pkg.function_id), pkg.archive_blob)
  const md5 = createHash('md5').update(bytes).digest('hex')
  if (md5 !== pkg.md5sum)
    throw new Error(`archive ${pkg.archive_blob} of ${pkg.function_id} has md5 ${md5}, recorded ${pkg.md5sum}`)
  deps.archives.put(pkg.archive_blob, bytes)
  return bytes
}
