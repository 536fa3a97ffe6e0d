import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

import { databasePath } from '../../engine/engine.js'
import { openDatabase } from '../../engine/store/open-database.js'

/** What a data directory holds, read from its SQLite file and its folders. */
export interface DataDirState {
  functions: number
  packages: number
  versions: number
  aliases: number
  operations: number
  repos: string[]
  tmp: string[]
}

const count = (db: ReturnType<typeof openDatabase>, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

/** Reads the state with a read-only connection of its own, beside a running server. */
export async function inspectDataDir(dataDir: string): Promise<DataDirState> {
  const db = openDatabase(databasePath(dataDir), { readonly: true })
  try {
    return {
      functions: count(db, 'functions'),
      packages: count(db, 'packages'),
      versions: count(db, 'versions'),
      aliases: count(db, 'aliases'),
      operations: count(db, 'operations'),
      repos: (await readdir(join(dataDir, 'repos'))).sort(),
      tmp: (await readdir(join(dataDir, 'tmp'))).sort(),
    }
  } finally {
    db.close()
  }
}

/** Rows of `versions` for a function, tombstones included, as SQLite has them. */
export function versionRows(
  dataDir: string,
  functionId: string,
): Array<{ version_number: number; state: string; status: string }> {
  const db = openDatabase(databasePath(dataDir), { readonly: true })
  try {
    return db
      .prepare(`SELECT version_number, state, status FROM versions WHERE function_id = ? ORDER BY version_number`)
      .all(functionId) as Array<{ version_number: number; state: string; status: string }>
  } finally {
    db.close()
  }
}

export const gitdirOf = (dataDir: string, functionId: string) => join(dataDir, 'repos', `${functionId}.git`)
