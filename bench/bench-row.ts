/**
 * The one shape every benchmark reports, so `npm run bench` can print one table (and `--json`)
 * from all of them. A figure is measured against a baseline taken in the same run on the same
 * machine: the ratio is what is compared with the target, never a raw time.
 */
export interface BenchRow {
  /** What is measured, e.g. "GET version req/s vs bare Fastify". */
  figure: string
  /** tagstone's figure, in `unit`. */
  value: number
  unit: string
  /** The baseline measured in the same run, or null where the figure is absolute (e.g. RSS). */
  baseline: { label: string; value: number } | null
  /** value / baseline.value (or the inverse where lower is better, as the figure says); null without a baseline. */
  ratio: number | null
  /** The target as written in the issue, e.g. ">= 0.75x" or "< 150 MiB". */
  target: string
  /** Whether the target is met; null where it cannot be judged in this run. */
  met: boolean | null
}

/** A benchmark module's entry point: runs its measurements and returns its rows. */
export type Bench = (options: { quick: boolean }) => Promise<BenchRow[]>
