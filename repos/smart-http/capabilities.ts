/**
 * What this server really does, and so all it advertises. Missing on purpose: `thin-pack` (packs
 * are always complete), `shallow` and `filter` (no partial clones), `no-done`, plain `multi_ack`
 * and `allow-*-sha1-in-want`; git clients then simply do without them.
 */
export const AGENT = 'tagstone/0.1'

export function serverCapabilities(headTarget: string | undefined): string[] {
  return [
    'multi_ack_detailed',
    'side-band-64k',
    'side-band',
    'ofs-delta',
    'include-tag',
    'no-progress',
    ...(headTarget === undefined ? [] : [`symref=HEAD:${headTarget}`]),
    'object-format=sha1',
    `agent=${AGENT}`,
  ]
}

/** The options a client picked on its first want line that change what we send back. */
export interface ClientOptions {
  multiAckDetailed: boolean
  sideBand: 'none' | 'side-band' | 'side-band-64k'
  ofsDelta: boolean
  includeTag: boolean
  noProgress: boolean
}

export function parseClientCapabilities(words: string[]): ClientOptions {
  const has = new Set(words)
  return {
    multiAckDetailed: has.has('multi_ack_detailed'),
    sideBand: has.has('side-band-64k') ? 'side-band-64k' : has.has('side-band') ? 'side-band' : 'none',
    ofsDelta: has.has('ofs-delta'),
    includeTag: has.has('include-tag'),
    noProgress: has.has('no-progress'),
  }
}
