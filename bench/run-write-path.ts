import { printRows } from './print-rows.js'
import { bench } from './write-path.js'

printRows(await bench({ quick: process.env.BENCH_QUICK === '1' }), { json: process.argv.includes('--json') })
