import { hash } from 'node:crypto'

import { EngineError } from './errors.js'

/**
 * A strong ETag for one state of a resource: its kind, its id and its revision
 * (bumped by every change), hashed. The id is in it so that an alias deleted and
 * made again under the same name never matches an ETag of the old one.
 */
export function etagOf(kind: 'function' | 'version' | 'alias', id: string, revision: number): string {
  // One-shot hash: a list of 1,000 records makes 1,000 of these.
  return `"${hash('sha256', `${kind}:${id}:${revision}`, 'hex').slice(0, 24)}"`
}

/** The entity tags of an If-Match or If-None-Match header: `*`, or a list (weak ones keep their `W/`). */
function parseTags(header: string): string[] | '*' {
  if (header.trim() === '*') return '*'
  return header.match(/(?:W\/)?"[^"]*"/g) ?? []
}

/** If-Match: strong comparison (RFC 9110), so a weak tag never matches. */
export function ifMatchHolds(header: string, current: string): boolean {
  const tags = parseTags(header)
  return tags === '*' || tags.includes(current)
}

/** If-None-Match: weak comparison, so `W/"x"` matches `"x"`. True when the client's copy is current. */
export function ifNoneMatchHits(header: string, current: string): boolean {
  const tags = parseTags(header)
  return tags === '*' || tags.some((t) => t.replace(/^W\//, '') === current)
}

/** Refuses a change whose If-Match names a state other than the current one; nothing has changed yet. */
export function requireIfMatch(header: string | undefined, current: () => string): void {
  if (header === undefined) return
  const etag = current()
  if (!ifMatchHolds(header, etag)) {
    throw new EngineError(
      'PRECONDITION_FAILED',
      `Precondition failed: If-Match ${header} does not name the current state (ETag ${etag}); read it again and retry.`,
      { etag },
    )
  }
}
