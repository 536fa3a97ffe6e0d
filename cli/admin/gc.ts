import { type FunctionGc, gcFunctions } from '../../engine/admin/gc.js'
import { COMMON_OPTIONS, expectNoMore } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK } from '../exit-codes.js'

export const gcCommand = defineCommand({
  name: 'admin gc',
  synopsis: 'admin gc [--function ID] [--json] [--data DIR]',
  about: `Packs each function's repository (or one's) into one pack with delta compression, like git gc.
Safe while the server runs; nothing is ever removed that the new pack does not hold. Refs go into
packed-refs too, unless a server holds the data directory (its background packing does them then).`,
  options: { ...COMMON_OPTIONS, function: { type: 'string' } },
  run: async ({ values, positionals, dataDir, json }) => {
    expectNoMore(positionals)
    const done = await gcFunctions(dataDir, values.function)
    process.stdout.write(json ? `${JSON.stringify({ functions: done })}\n` : text(done))
    return EXIT_OK
  },
})

function text(done: FunctionGc[]): string {
  const lines = done.map((d) => {
    const refs = d.refsPacked ? `; packed ${d.refsPacked} refs` : ''
    return d.status === 'packed'
      ? `${d.function_id}  packed ${d.objects} objects (${d.deltas} deltas) into ${d.packBytes} bytes; removed ${d.looseRemoved} loose, ${d.packsRemoved} old packs${refs}`
      : `${d.function_id}  ${d.status === 'busy' ? 'skipped: another gc is running on it' : 'already packed'}${refs}`
  })
  return `${[`gc: ${done.length} function(s)`, ...lines].join('\n')}\n`
}
