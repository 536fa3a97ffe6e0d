import { DEFAULT_PROJECT, type RequestContext } from '../engine/context.js'
import type { Engine } from '../engine/engine.js'
import { makeZip } from '../test/helpers/zip.js'

export const ADMIN: RequestContext = { projectId: DEFAULT_PROJECT, role: 'admin' }

const handler = (n: number) => makeZip([{ name: 'main.py', content: `def main(event, context):\n    return ${n}\n` }])

/** A function with `versions` versions, each on its own package, made through the engine. */
export async function functionWithVersions(engine: Engine, versions: number, name = 'bench'): Promise<string> {
  const fn = await engine.createFunction(ADMIN, {
    fields: { name, runtime_id: 'python3', entry: 'main.main' },
    code: JSON.stringify({ source: 'package' }),
    package: handler(0),
  })
  for (let n = 1; n <= versions; n++) {
    if (n > 1) await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: handler(n) })
    await engine.createVersion(ADMIN, fn.id, { description: `version ${n}` })
  }
  return fn.id
}
