import { join } from 'node:path'

import type { RequestContext } from '../../../engine/context.js'
import { openEngine } from '../../../engine/engine.js'
import { databasePath } from '../../../engine/engine.js'
import { openDatabase } from '../../../engine/store/open-database.js'
import { makeZip } from '../../helpers/zip.js'

export const ADMIN: RequestContext = { projectId: 'default', role: 'admin', actor: 'cli' }

export const packageZip = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n  return ${n}\n` }])

export interface Fixture {
  dataDir: string
  functionId: string
  gitdir: string
}

/**
 * A small store: one function with three uploads, versions 1 to 3 of them and
 * version 3 deleted; `main` is on the third upload. Closed when returned.
 */
export async function buildFixture(dataDir: string): Promise<Fixture> {
  const engine = await openEngine({ dataDir })
  try {
    const fn = await engine.createFunction(ADMIN, {
      fields: { name: 'fixture' },
      code: '{"source": "package"}',
      package: packageZip(1),
    })
    await engine.createVersion(ADMIN, fn.id, { description: 'one' })
    for (const n of [2, 3]) {
      await engine.updateFunction(ADMIN, fn.id, { fields: {}, package: packageZip(n) })
      await engine.createVersion(ADMIN, fn.id, { description: `number ${n}` })
    }
    await engine.deleteVersion(ADMIN, fn.id, 3)
    return { dataDir, functionId: fn.id, gitdir: join(dataDir, 'repos', `${fn.id}.git`) }
  } finally {
    engine.close()
  }
}

/** Runs SQL on the store's file, the way an operator with `sqlite3` would. */
export function tamperSql(dataDir: string, sql: string, ...params: unknown[]): void {
  const db = openDatabase(databasePath(dataDir))
  try {
    db.prepare(sql).run(...params)
  } finally {
    db.close()
  }
}

export function querySql<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = openDatabase(databasePath(dataDir), { readonly: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}
