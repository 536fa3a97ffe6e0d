/**
 * Packages recently read from git, keyed by archive blob id, bounded in bytes.
 * This is what "detach" releases: the next download reads git again.
 */
export class ArchiveCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0
  hits = 0
  misses = 0

  constructor(private readonly maxBytes: number) {}

  get(blob: string): Buffer | undefined {
    const hit = this.entries.get(blob)
    if (hit) this.hits++
    else this.misses++
    if (hit) {
      this.entries.delete(blob)
      this.entries.set(blob, hit)
    }
    return hit
  }

  put(blob: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes / 4) return
    this.drop(blob)
    this.entries.set(blob, bytes)
    this.bytes += bytes.length
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(key)
      this.bytes -= value.length
    }
  }

  /** For metrics, in the shape the git caches report. */
  stats(): { cache: string; hits: number; misses: number; bytes: number } {
    return { cache: 'package_archives', hits: this.hits, misses: this.misses, bytes: this.bytes }
  }

  drop(blob: string): void {
    const old = this.entries.get(blob)
    if (!old) return
    this.entries.delete(blob)
    this.bytes -= old.length
  }
}
