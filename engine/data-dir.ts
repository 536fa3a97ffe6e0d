import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

import Database from 'better-sqlite3'

import { EngineError } from './errors.js'

/** Where a data directory keeps its SQLite file. */
export const databasePath = (dataDir: string) => join(dataDir, 'tagstone.db')

const LOCK_FILE = 'tagstone.lock'
/** Who holds the lock, for the message a second holder gets: the lock file itself cannot be read while held. */
const HOLDER_FILE = 'tagstone.lock.holder'

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code

/** One line on why `dataDir` cannot be used: the OS's reason in words, with its code. */
function unusable(dataDir: string, what: string, err?: unknown): EngineError {
  const code = errno(err)
  const why =
    code === 'EROFS'
      ? 'it is on a read-only file system'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'a file is in the way'
          : code
            ? `${(err as Error).message.split(',')[0]}`
            : undefined
  return new EngineError(
    'DATA_DIR_UNUSABLE',
    `The data directory ${dataDir} cannot be used: ${what}${why ? ` (${why})` : ''}.`,
    { data: dataDir, ...(code ? { errno: code } : {}) },
  )
}

/**
 * Makes `dataDir` and any missing parents one level at a time. Node's recursive mkdir loops for
 * ever where a parent exists but refuses children with ENOENT (under `/proc`); this stops at the
 * first refusal.
 */
function makeDirectories(dataDir: string): void {
  const missing: string[] = []
  const top = resolve(dataDir)
  for (let dir = top; ; dir = dirname(dir)) {
    let stats
    try {
      stats = statSync(dir)
    } catch (err) {
      // ENOTDIR: a file above; the loop goes up to it and names it.
      if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') throw unusable(dataDir, `${dir} cannot be read`, err)
      if (dirname(dir) === dir) break
      missing.push(dir)
      continue
    }
    if (!stats.isDirectory()) throw unusable(dataDir, `${dir === top ? 'it' : dir} is a file, not a folder`)
    break
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw unusable(dataDir, `${dir} cannot be created`, err)
    }
  }
}

/**
 * Proves at once that `dataDir` is a folder this process can write in, so that no command gets
 * as far as SQLite or git with one it cannot use (a read-only mount, a file in the way, `/proc`, no
 * permission). With `create` (only `serve` and `token create --init`) missing folders are made;
 * without it a missing folder is `NO_DATA_DIRECTORY`.
 */
export function prepareDataDir(dataDir: string, options: { create?: boolean } = {}): void {
  if (options.create) makeDirectories(dataDir)
  let stats
  try {
    stats = statSync(dataDir)
  } catch (err) {
    if (errno(err) === 'ENOENT') {
      throw new EngineError('NO_DATA_DIRECTORY', `No tagstone data in ${dataDir} (no such folder).`, { data: dataDir })
    }
    throw unusable(dataDir, 'it cannot be read', err)
  }
  if (!stats.isDirectory()) throw unusable(dataDir, 'it is a file, not a folder')
  // A probe rather than access(2): root passes access checks on folders it still cannot write
  // (read-only mounts, /proc), and SQLite's own failure would come later and say less.
  // Random, not the pid: in a container every start is pid 1, and a probe left by a kill must not block the next.
  const probe = join(dataDir, `.probe-${randomBytes(6).toString('hex')}`)
  try {
    closeSync(openSync(probe, 'wx'))
    unlinkSync(probe)
  } catch (err) {
    throw unusable(dataDir, 'nothing can be written in it', err)
  }
}

/** The SQLite file of a data directory that must already hold tagstone data (the admin tools never make one). */
export function existingDatabasePath(dataDir: string): string {
  prepareDataDir(dataDir)
  const path = databasePath(dataDir)
  try {
    statSync(path)
  } catch {
    throw new EngineError('NO_DATA_DIRECTORY', `No tagstone data in ${dataDir} (no ${path}).`, { data: dataDir })
  }
  return path
}

/** The exclusive hold of one data directory; `release` is safe to call twice. */
export interface DataDirLock {
  release(): void
}

/**
 * Takes the data directory for this process alone, for whatever runs recovery or repairs (`serve`,
 * `admin fsck --repair`, `admin prune`); read-only admin commands never ask for it. The lock is
 * SQLite's exclusive lock on a file of its own (an fcntl lock, so it dies with the process, kill -9
 * included, and nothing stale is left to clean up), taken without waiting. `holder` names what
 * holds it in the message a second taker gets.
 */
export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    // The first write takes the exclusive lock, and in this mode it is kept until the connection closes.
    db.exec('CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY, taken_at TEXT NOT NULL)')
    db.prepare('INSERT OR REPLACE INTO lock (id, taken_at) VALUES (1, ?)').run(new Date().toISOString())
  } catch (err) {
    db.close()
    if (errno(err) !== 'SQLITE_BUSY' && errno(err) !== 'SQLITE_LOCKED') throw err
    throw new EngineError(
      'DATA_DIR_LOCKED',
      `The data directory ${dataDir} is in use by ${heldBy(dataDir)}; stop it first, or give another --data.`,
      { data: dataDir },
    )
  }
  writeFileSync(join(dataDir, HOLDER_FILE), `${holder} (pid ${process.pid})\n`)
  let held = true
  return {
    release: () => {
      if (held) db.close()
      held = false
    },
  }
}

function heldBy(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, HOLDER_FILE), 'utf8').trim() || 'another tagstone process'
  } catch {
    return 'another tagstone process'
  }
}
