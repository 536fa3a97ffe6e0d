import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every admin command takes: `--data` (default `TAGSTONE_DATA`, then `./data`) and `--json`. */
export const COMMON_OPTIONS = { data: { type: 'string' }, json: { type: 'boolean' } } as const

/**
 * Parses an admin command's arguments; on a usage error prints it with the
 * usage text and returns null (the command then exits 2).
 */
export function parseAdminArgs<O extends Options>(command: string, usage: string, args: string[], options: O) {
  try {
    const parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true })
    const values = parsed.values as Record<string, string | boolean | undefined>
    return {
      values,
      positionals: parsed.positionals,
      dataDir: (values.data as string | undefined) ?? process.env.TAGSTONE_DATA ?? './data',
      json: values.json === true,
    }
  } catch (err) {
    process.stderr.write(`tagstone admin ${command}: ${(err as Error).message}\n${usage}`)
    return null
  }
}

/** A failure to open or read the store: said on stderr, exit code 2. */
export function reportFailure(command: string, err: unknown): number {
  process.stderr.write(`tagstone admin ${command}: ${(err as Error).message}\n`)
  return 2
}
