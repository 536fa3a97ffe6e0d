import autocannon from 'autocannon'

import { median } from './median.js'

export interface LoadOptions {
  url: string
  headers?: Record<string, string>
  /** Seconds per run. */
  seconds: number
  connections?: number
}

/** Requests per second of one autocannon run; a run with any error or non-2xx answer throws. */
export async function requestsPerSecond(options: LoadOptions): Promise<number> {
  const result = await autocannon({
    url: options.url,
    headers: options.headers ?? {},
    connections: options.connections ?? 50,
    duration: options.seconds,
  })
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${options.url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`)
  }
  return result.requests.average
}

/**
 * Median req/s of ours and of the baseline over `runs` alternating runs (after one short warm-up
 * of each), so that a neighbour's load on the shared machine falls on both.
 */
export async function compareThroughput(
  ours: LoadOptions,
  baseline: LoadOptions,
  runs: number,
): Promise<{ ours: number; baseline: number }> {
  await requestsPerSecond({ ...ours, seconds: 1 })
  await requestsPerSecond({ ...baseline, seconds: 1 })
  const measured = { ours: [] as number[], baseline: [] as number[] }
  for (let i = 0; i < runs; i++) {
    measured.ours.push(await requestsPerSecond(ours))
    measured.baseline.push(await requestsPerSecond(baseline))
  }
  return { ours: median(measured.ours), baseline: median(measured.baseline) }
}
