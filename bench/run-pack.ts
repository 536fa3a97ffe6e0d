/** `npm run bench:pack`: the packed-repository rows alone. `--quick` for a shorter history. */
import { bench } from './pack.js'
import { printRows } from './print-rows.js'

printRows(await bench({ quick: process.argv.includes('--quick') }), { json: process.argv.includes('--json') })
