import type { Bench } from './bench-row.js'
import { bench as packBench } from './pack.js'

/** Every benchmark `npm run bench` runs, in order. A new benchmark is one line here. */
export const SUITE: ReadonlyArray<{ name: string; bench: Bench }> = [{ name: 'pack', bench: packBench }]
