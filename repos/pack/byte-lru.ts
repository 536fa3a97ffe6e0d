/**
 * A least-recently-used map bounded by the bytes its values hold, not by their number: cached
 * git objects and packs range from a few bytes to many megabytes.
 */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>()
  #bytes = 0
  /** Lookups that found their key, and those that did not, since start: plain counts for metrics. */
  hits = 0
  misses = 0

  constructor(
    readonly maxBytes: number,
    readonly maxEntryBytes = maxBytes,
  ) {}

  get bytes(): number {
    return this.#bytes
  }
  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    // Re-inserting moves the key to the young end of the Map's insertion order.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry.value
  }

  /** Stores the value unless it alone would exceed the per-entry bound; evicts the oldest. */
  set(key: string, value: V, bytes: number): boolean {
    this.delete(key)
    if (bytes > this.maxEntryBytes || bytes > this.maxBytes) return false
    this.#entries.set(key, { value, bytes })
    this.#bytes += bytes
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break
      this.#entries.delete(oldKey)
      this.#bytes -= old.bytes
    }
    return true
  }

  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
  }

  /** Drops every key that starts with the prefix (e.g. one repository's entries). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix)) this.delete(key)
    }
  }

  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}
