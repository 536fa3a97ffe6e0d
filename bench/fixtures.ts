import { crc32 } from 'node:zlib'

import { DEFAULT_PROJECT, type RequestContext } from '../engine/context.js'
import type { Engine } from '../engine/engine.js'

export const ADMIN: RequestContext = { projectId: DEFAULT_PROJECT, role: 'admin', actor: 'bench' }

/**
 * A zip of one stored (uncompressed) file, `main.py`, ending in `return 000000`. Each package is
 * this with the six digits replaced and the two copies of the CRC updated: benchmarks may not use
 * the tests' zip builder, and need no more than this.
 */
const TEMPLATE = Buffer.from(
  'UEsDBBQAAAgAAAAAAAD9+hSZLAAAACwAAAAHAAAAbWFpbi5weWRlZiBtYWluKGV2ZW50LCBjb250ZXh0KToKICAgIHJldHVybiAwMDAwMDAKUEsBAhQDFAAACAAAAAAAAP36FJksAAAALAAAAAcAAAAAAAAAAAAAAKSBAAAAAG1haW4ucHlQSwUGAAAAAAEAAQA1AAAAUQAAAAAA',
  'base64',
)
/** Where the file's bytes are, where its digits are, and where the local and central headers keep its CRC. */
const DATA = { start: 37, end: 81, digits: 74 }
const CRC_AT = [14, 81 + 16]

/** Package `n` (0 to 999,999): a function's packages differ by their number alone. */
export function packageZip(n: number): Buffer {
  const zip = Buffer.from(TEMPLATE)
  zip.write(String(n).padStart(6, '0'), DATA.digits, 'latin1')
  const crc = crc32(zip.subarray(DATA.start, DATA.end))
  for (const at of CRC_AT) zip.writeUInt32LE(crc, at)
  return zip
}

/** A function with `versions` versions, each on its own package, made through the engine. */
export async function functionWithVersions(engine: Engine, versions: number, name = 'bench'): Promise<string> {
  const fn = await engine.createFunction(ADMIN, {
    fields: { name, runtime_id: 'python3', entry: 'main.main' },
    code: JSON.stringify({ source: 'package' }),
    package: packageZip(0),
  })
  for (let n = 1; n <= versions; n++) {
    if (n > 1) await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: packageZip(n) })
    await engine.createVersion(ADMIN, fn.id, { description: `version ${n}` })
  }
  return fn.id
}
