import { promisify } from 'node:util'
import { crc32, inflateRaw, inflateRawSync } from 'node:zlib'

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
    return await readEntries(archive, zip, limits)
  } finally {
    archive.close()
  }
}

function openZip(zip: Buffer): Promise<ZipFile> {
  if (zip.length === 0) return Promise.reject(new RepoError('PACKAGE_NOT_ZIP', 'The package is empty (0 bytes).'))
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, archive) => {
      // yauzl's own messages may end in a period already.
      const why = (err?.message ?? 'unreadable').replace(/\.+$/, '')
      if (err || !archive) reject(new RepoError('PACKAGE_NOT_ZIP', `The package is not a zip archive: ${why}.`))
      else resolve(archive)
    })
  })
}

function readEntries(archive: ZipFile, zip: Buffer, limits: UnpackLimits): Promise<PackageFile[]> {
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
        if (dirs.has(f.path))
          return fail(
            new RepoError(
              'PACKAGE_DUPLICATE_ENTRY',
              `The package holds '${f.path}' both as a file and as a directory.`,
            ),
          )
      }
      resolve(files)
    })
    archive.on('entry', (entry: Entry) => {
      count += 1
      if (count > limits.maxEntries)
        return fail(
          new RepoError('PACKAGE_TOO_MANY_ENTRIES', `The package holds more than ${limits.maxEntries} entries.`),
        )
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
        return fail(
          new RepoError(
            'PACKAGE_UNPACKED_TOO_LARGE',
            `The package unpacks to more than ${limits.maxUnpackedBytes} bytes.`,
          ),
        )
      }
      entryContent(archive, zip, entry).then((content) => {
        // yauzl checks sizes but not CRC-32s: without this a damaged entry would be stored as good.
        if (crc32(content) !== entry.crc32)
          return fail(
            new RepoError(
              'PACKAGE_CORRUPT',
              `The package is a broken zip archive: entry '${path}' fails its CRC-32 check.`,
            ),
          )
        const kind = (mode & S_IFMT) === S_IFLNK ? 'symlink' : mode & 0o111 ? 'executable' : 'file'
        files.push({ path, kind, content })
        archive.readEntry()
      }, fail)
    })
    archive.readEntry()
  })
}

/** Entries up to this size are inflated at once; larger ones on the thread pool, so one never stalls other requests. */
const INFLATE_AT_ONCE = 1024 * 1024
const inflateRawAsync = promisify(inflateRaw)

/**
 * An entry's bytes, taken from the zip in memory and inflated in one call. yauzl's read streams
 * cost several thread-pool round trips per entry: a package of 2,000 files spent most of its
 * reading waiting on them. The sizes are checked as yauzl's `validateEntrySizes` does.
 */
async function entryContent(archive: ZipFile, zip: Buffer, entry: Entry): Promise<Buffer> {
  if (entry.isEncrypted()) throw new Error('entry is encrypted')
  const { fileDataStart } = await archive.readLocalFileHeaderPromise(entry, { minimal: true })
  const data = zip.subarray(fileDataStart, fileDataStart + entry.compressedSize)
  let content: Buffer
  if (entry.compressionMethod === 0) content = Buffer.from(data)
  else if (entry.compressionMethod === 8) {
    // One byte more than announced is enough to tell a lying size, and bounds a zip bomb.
    const options = { maxOutputLength: entry.uncompressedSize + 1 }
    content = data.length <= INFLATE_AT_ONCE ? inflateRawSync(data, options) : await inflateRawAsync(data, options)
  } else throw new Error(`unsupported compression method: ${entry.compressionMethod}`)
  if (content.length !== entry.uncompressedSize)
    throw new Error(
      `entry '${entry.fileName}' holds ${content.length} bytes, not the ${entry.uncompressedSize} it announces`,
    )
  return content
}

function parentsAndSelf(path: string): string[] {
  const parts = path.split('/')
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'))
}

/** Returns the normalised path, or the error that refuses it. */
export function checkPath(name: string): string | RepoError {
  const unsafe = (why: string) =>
    new RepoError('PACKAGE_UNSAFE_PATH', `The package entry '${name}' is refused: ${why}.`, { entry: name })
  if (name === '') return unsafe('empty name')
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return unsafe('absolute path')
  if (name.includes('\\')) return unsafe('backslash in path')
  if (name.includes('\0')) return unsafe('NUL in path')
  for (const part of name.split('/')) {
    if (part === '' || part === '.') return unsafe('empty or "." path component')
    if (part === '..') return unsafe('".." path component')
    if (isGitDirName(part)) return unsafe('".git" path component')
  }
  return name
}

/** Characters HFS+ ignores in names, so `.g\u200cit` is `.git` there. */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g

/**
 * Whether a name is `.git` to some file system, as git itself judges it (its
 * `fsck --strict` calls these hasDotgit, and clients refuse to check them out):
 * any case, HFS+ ignorable characters, NTFS trailing dots and spaces, an NTFS
 * stream suffix, or the 8.3 short name `git~1`.
 */
function isGitDirName(part: string): boolean {
  return /^(\.git|git~1)[. ]*(:.*)?$/.test(part.replace(HFS_IGNORED, '').toLowerCase())
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
