import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { RepoError } from './errors.js'
import type { PackageFile } from './package-files.js'

export interface UnpackLimits {
  maxEntries: number
  maxUnpackedBytes: number
}

const S_IFMT = 0o170000
const S_IFLNK = 0o120000
const S_IFDIR = 0o040000
/** Zip "version made by" host 3 is Unix: only then do the external attributes hold a mode. */
const HOST_UNIX = 3

/**
 * Unpacks a zip held in memory into the files of a git tree, refusing anything
 * that could escape the tree or that git itself would reject.
 */
export async function readZipPackage(zip: Buffer, limits: UnpackLimits): Promise<PackageFile[]> {
  const archive = await openZip(zip)
  try {
    return await readEntries(archive, limits)
  } finally {
    archive.close()
  }
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, archive) => {
      if (err || !archive) reject(new RepoError('PACKAGE_NOT_ZIP', `The package is not a zip archive: ${err?.message ?? 'unreadable'}.`))
      else resolve(archive)
    })
  })
}

function readEntries(archive: ZipFile, limits: UnpackLimits): Promise<PackageFile[]> {
  const files: PackageFile[] = []
  const seen = new Set<string>()
  const dirs = new Set<string>()
  let unpacked = 0
  let count = 0
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(asPackageError(err))
    archive.on('error', fail)
    archive.on('end', () => {
      for (const f of files) {
        if (dirs.has(f.path)) return fail(new RepoError('PACKAGE_DUPLICATE_ENTRY', `The package holds '${f.path}' both as a file and as a directory.`))
      }
      resolve(files)
    })
    archive.on('entry', (entry: Entry) => {
      count += 1
      if (count > limits.maxEntries) return fail(new RepoError('PACKAGE_TOO_MANY_ENTRIES', `The package holds more than ${limits.maxEntries} entries.`))
      const isDir = entry.fileName.endsWith('/')
      const path = checkPath(isDir ? entry.fileName.slice(0, -1) : entry.fileName)
      if (path instanceof RepoError) return fail(path)
      const mode = entry.versionMadeBy >> 8 === HOST_UNIX ? entry.externalFileAttributes >>> 16 : 0
      if (isDir || (mode & S_IFMT) === S_IFDIR) {
        for (const d of parentsAndSelf(path)) dirs.add(d)
        return archive.readEntry()
      }
      if (seen.has(path)) return fail(new RepoError('PACKAGE_DUPLICATE_ENTRY', `The package holds '${path}' twice.`))
      seen.add(path)
      for (const d of parentsAndSelf(path).slice(0, -1)) dirs.add(d)
      unpacked += entry.uncompressedSize
      if (unpacked > limits.maxUnpackedBytes) {
        return fail(new RepoError('PACKAGE_UNPACKED_TOO_LARGE', `The package unpacks to more than ${limits.maxUnpackedBytes} bytes.`))
      }
      archive.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(err)
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('error', fail)
        stream.on('end', () => {
          const kind = (mode & S_IFMT) === S_IFLNK ? 'symlink' : mode & 0o111 ? 'executable' : 'file'
          files.push({ path, kind, content: Buffer.concat(chunks) })
          archive.readEntry()
        })
      })
    })
    archive.readEntry()
  })
}

function parentsAndSelf(path: string): string[] {
  const parts = path.split('/')
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'))
}

/** Returns the normalised path, or the error that refuses it. */
export function checkPath(name: string): string | RepoError {
  const unsafe = (why: string) => new RepoError('PACKAGE_UNSAFE_PATH', `The package entry '${name}' is refused: ${why}.`, { entry: name })
  if (name === '') return unsafe('empty name')
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return unsafe('absolute path')
  if (name.includes('\\')) return unsafe('backslash in path')
  if (name.includes('\0')) return unsafe('NUL in path')
  for (const part of name.split('/')) {
    if (part === '' || part === '.') return unsafe('empty or "." path component')
    if (part === '..') return unsafe('".." path component')
    if (part.toLowerCase() === '.git') return unsafe('".git" path component')
  }
  return name
}

function asPackageError(err: unknown): RepoError {
  if (err instanceof RepoError) return err
  const message = err instanceof Error ? err.message : String(err)
  // yauzl validates names itself before we see them; keep its finding, in our words.
  if (/absolute path|invalid relative path|invalid characters/.test(message)) {
    return new RepoError('PACKAGE_UNSAFE_PATH', `The package holds an unsafe entry name (${message}).`)
  }
  return new RepoError('PACKAGE_CORRUPT', `The package is a broken zip archive: ${message}.`)
}
