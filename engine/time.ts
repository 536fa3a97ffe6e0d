/** Qinling's time format: UTC, `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19)
}

/** Whole seconds, as git records them; so a tag's date and `created_at` agree exactly. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000)
}
