import { createHash } from 'node:crypto'

import type { PackageFile } from '../repos/package-files.js'
import { readZipPackage } from '../repos/read-zip-package.js'
import { EngineError } from './errors.js'
import type { CodeSpec } from './function-fields.js'
import type { Limits } from './limits.js'

export interface PreparedPackage {
  archive: Buffer
  files: PackageFile[]
  md5sum: string
  sha256: string
}

/** Checks an uploaded package against its claimed checksum and the limits, and unpacks it. Touches no disk. */
export async function preparePackage(archive: Buffer, code: CodeSpec, limits: Limits): Promise<PreparedPackage> {
  if (archive.length > limits.maxPackageBytes) {
    throw new EngineError(
      'PACKAGE_TOO_LARGE',
      `The package is larger than the limit of ${limits.maxPackageBytes} bytes.`,
    )
  }
  const md5sum = createHash('md5').update(archive).digest('hex')
  if (code.md5sum && code.md5sum !== md5sum) {
    throw new EngineError(
      'MD5_MISMATCH',
      `Package md5sum mismatch: the request says ${code.md5sum}, the package is ${md5sum}.`,
    )
  }
  const files = await readZipPackage(archive, {
    maxEntries: limits.maxPackageEntries,
    maxUnpackedBytes: limits.maxUnpackedBytes,
  })
  return { archive, files, md5sum, sha256: createHash('sha256').update(archive).digest('hex') }
}
