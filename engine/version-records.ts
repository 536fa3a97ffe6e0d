import { ByteLru } from '../repos/pack/byte-lru.js'
import { presentVersion } from './present.js'
import type { VersionRecord } from './records.js'
import type { VersionView } from './store/rows.js'

/** What names one state of a live version's answer: every change to a version bumps its revision (as its ETag needs). */
export interface VersionKey {
  id: string
  revision: number
}

/** A version's answer is about 700 bytes of JSON; an estimate, as the token cache makes one. */
const RECORD_BYTES = 1024
/** 8,192 answers: a version list of up to 1,000 rows, and the versions read most, are kept. */
export const VERSION_RECORD_CACHE_BYTES = 8 * 1024 * 1024

/**
 * Version answers already built, by version id with the revision they were built at. Reading a
 * version's row in full (22 columns) and presenting it was most of what a version list cost; the
 * (id, revision) of a page's rows come from the `live_versions` index alone, and when every one is
 * kept at that revision nothing else is read. A version's answer depends on nothing but its own
 * row at a revision and its package, which never changes, so no write has to tell this cache
 * anything: a changed version has a new revision and misses.
 */
export class VersionRecords {
  readonly #kept: ByteLru<{ revision: number; record: VersionRecord }>

  constructor(maxBytes = VERSION_RECORD_CACHE_BYTES) {
    this.#kept = new ByteLru(maxBytes, RECORD_BYTES)
  }

  /**
   * The answers of the versions `keys` names: the kept ones when every one is kept at its
   * revision, else those of `rows()` (the same versions read in full), which are kept for next time.
   */
  of(keys: VersionKey[], rows: () => VersionView[]): VersionRecord[] {
    const records: VersionRecord[] = []
    for (const key of keys) {
      const kept = this.#kept.get(key.id)
      if (kept?.revision !== key.revision) return rows().map((row) => this.keep(row))
      records.push(kept.record)
    }
    return records
  }

  /** The version's answer, kept at the row's revision. */
  keep(row: VersionView): VersionRecord {
    const record = presentVersion(row)
    this.#kept.set(row.id, { revision: row.revision, record }, RECORD_BYTES)
    return record
  }

  /** For metrics, in the shape the other caches report. */
  stats(): { cache: string; hits: number; misses: number; bytes: number } {
    return { cache: 'version_records', hits: this.#kept.hits, misses: this.#kept.misses, bytes: this.#kept.bytes }
  }
}
