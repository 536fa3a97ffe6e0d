import { parseArgs, type ParseArgsConfig } from 'node:util'

import { type LayerErrorConstructor, TagstoneError } from '../engine/errors.js'
import { argumentMessage, DATA_OPTION, dataDirFrom } from '../server/config.js'

export type Options = NonNullable<ParseArgsConfig['options']>

/** `--data DIR` and `--json`, which every admin command takes. */
export const COMMON_OPTIONS = { ...DATA_OPTION, json: { type: 'boolean' } } as const

/** Every command, and every group of commands, takes `--help` (`-h`). */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const

/** A command line that cannot be used: printed with the command's usage, exit 2. */
export type UsageError = TagstoneError<'USAGE'>
const UsageErrorOf: LayerErrorConstructor<'USAGE'> = TagstoneError
export const usageError = (message: string): UsageError => new UsageErrorOf('USAGE', message)

type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_OPTION; allowPositionals: true; strict: true }>
>['values']

export interface ParsedArgs<O extends Options> {
  values: Values<O>
  positionals: string[]
  /** `--data`, then `TAGSTONE_DATA`, then `./data`. */
  dataDir: string
  json: boolean
  help: boolean
}

/** Parses a command's arguments strictly against its options (plus `--help`); throws a `UsageError`. */
export function parseCommandArgs<O extends Options>(
  args: string[],
  options: O,
  env: NodeJS.ProcessEnv = process.env,
): ParsedArgs<O> {
  let parsed
  try {
    parsed = parseArgs({ args, options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true })
  } catch (err) {
    throw usageError(argumentMessage(err))
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  return {
    values: parsed.values,
    positionals: parsed.positionals,
    dataDir: dataDirFrom(values.data as string | undefined, env),
    json: values.json === true,
    help: values.help === true,
  }
}

/** Throws a `UsageError` for the first argument a command did not expect. */
export function expectNoMore(positionals: string[]): void {
  if (positionals.length > 0) throw usageError(`unexpected argument '${positionals[0]}'`)
}
