/**
 * Git trailers (`Key: value` lines in a message's last paragraph), as
 * `git interpret-trailers` writes and reads them.
 */
export type Trailer = readonly [key: string, value: string]

/** `message`, a blank line, then one `Key: value` line per trailer (an empty message leaves the blank line alone). */
export function withTrailers(message: string, trailers: readonly Trailer[]): string {
  const block = trailers.map(([k, v]) => `${k}: ${v}`).join('\n')
  return `${message.replace(/\n+$/, '')}\n\n${block}\n`
}

const TRAILER_LINE = /^([A-Za-z0-9-]+): ?(.*)$/

/** The trailers of a message's last paragraph, by key (the last of a key wins); empty when it has none. */
export function readTrailers(message: string): Map<string, string> {
  const paragraphs = message.replace(/\n+$/, '').split(/\n\s*\n/)
  const last = paragraphs[paragraphs.length - 1] ?? ''
  const lines = last.split('\n')
  const found = new Map<string, string>()
  if (!lines.every((l) => TRAILER_LINE.test(l))) return found
  for (const line of lines) {
    const [, key, value] = TRAILER_LINE.exec(line)!
    found.set(key!, value!)
  }
  return found
}
