import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

import { DEFAULT_PROJECT } from './context.js'
import type { TokenStore } from './tokens.js'

/** Where the first start leaves the admin token. */
export const adminTokenPath = (dataDir: string) => join(dataDir, 'admin-token')

/**
 * On a data directory with no token at all, makes an admin token of project
 * `default` (the project `--no-auth` acts as, so data made without auth stays
 * reachable) and writes it to `<data>/admin-token`, created with mode 0600.
 * The file is on disk before the token's row commits: a crash in between
 * leaves a stale file and no token, and the next start replaces the file.
 * Returns the file's path, or undefined when tokens already exist.
 */
export function bootstrapAdminToken(tokens: TokenStore, dataDir: string): string | undefined {
  const path = adminTokenPath(dataDir)
  const made = tokens.createFirstAdminToken(DEFAULT_PROJECT, (secret) => writeSecretFile(path, dataDir, secret))
  return made && path
}

function writeSecretFile(path: string, dir: string, secret: string): void {
  // A file left by an earlier start holds no valid token (there are none); the mode comes only from creation.
  rmSync(path, { force: true })
  const fd = openSync(path, 'wx', 0o600)
  let written = false
  try {
    writeSync(fd, `${secret}\n`)
    fsyncSync(fd)
    written = true
  } finally {
    closeSync(fd)
    if (!written) rmSync(path, { force: true })
  }
  const dirFd = openSync(dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}
