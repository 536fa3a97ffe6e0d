import { EngineError } from './errors.js'

/** What a list call may ask for, as the query string gave it (spec 8, pagination). */
export interface PageRequest {
  limit?: string | undefined
  marker?: string | undefined
  sort_dir?: string | undefined
}

/** One page: its items, and the marker of the next page when more remain. */
export interface Page<T> {
  items: T[]
  nextMarker?: string
}

export const MAX_PAGE = 1000

export function invalidPaging(name: string, why: string): EngineError {
  return new EngineError('INVALID_FIELD', `Invalid ${name}: ${why}.`, { field: name })
}

/** The page size asked for, or undefined for everything (as Qinling answers). */
export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1 && n <= MAX_PAGE)) throw invalidPaging('limit', `must be a whole number from 1 to ${MAX_PAGE}`)
  return n
}

/** SQLite's LIMIT for a page: one row more than asked, to know whether more remain; -1 is no limit. */
export const sqlLimit = (limit: number | undefined) => (limit === undefined ? -1 : limit + 1)

/** Cuts the extra row a page query read and names the marker of the next page if there was one. */
export function pageOf<R, T>(
  rows: R[],
  limit: number | undefined,
  markerOf: (row: R) => string,
  present: (row: R) => T,
): Page<T> {
  if (limit === undefined || rows.length <= limit) return { items: rows.map(present) }
  const kept = rows.slice(0, limit)
  return { items: kept.map(present), nextMarker: markerOf(kept[kept.length - 1]!) }
}
