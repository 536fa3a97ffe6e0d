import { EngineError } from './errors.js'

/** Qinling's time format: UTC, `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19)
}

/** Whole seconds, as git records them; so a tag's date and `created_at` agree exactly. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000)
}

/** The instant a `formatTime` string names. */
export function parseTime(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`)
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const
/** The longest duration taken: a hundred years, well inside what a Date can hold. */
export const MAX_DURATION_MS = 36_500 * UNIT_MS.d

/**
 * A duration as people write it, a whole number and one unit (`30d`, `12h`, `45m`, `90s`), in
 * milliseconds. Throws `INVALID_FIELD` (naming `name` in its message) for anything else, zero, or
 * more than 36500 days.
 */
export function parseDuration(text: string, name = 'duration'): number {
  const invalid = (why: string) =>
    new EngineError('INVALID_FIELD', `Invalid ${name} '${text}': ${why}.`, { field: name })
  const match = /^(\d+)([dhms])$/.exec(text)
  if (!match) throw invalid('use a whole number and a unit, d, h, m or s (e.g. 30d, 12h, 45m, 90s)')
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  if (ms === 0) throw invalid('must be more than zero')
  if (ms > MAX_DURATION_MS) throw invalid('must be at most 36500 days')
  return ms
}
