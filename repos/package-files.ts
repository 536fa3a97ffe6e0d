/** One file of an unpacked package, as it goes into a git tree. */
export interface PackageFile {
  /** Slash-separated, relative, already validated. */
  path: string
  kind: 'file' | 'executable' | 'symlink'
  /** File bytes, or the link target for a symlink. */
  content: Buffer
}
