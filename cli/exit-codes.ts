import type { EngineErrorCode } from '../engine/errors.js'

/** The one exit-code rule of every `tagstone` command. */
export const EXIT_OK = 0
/** The command ran and found problems: fsck found some, or what it was asked about does not exist. */
export const EXIT_PROBLEMS = 1
/** The command cannot run: a usage error, an invalid value, no tagstone data, an unreadable store. */
export const EXIT_CANNOT_RUN = 2

export const EXIT_CODE_RULE = `exit codes (every command):
  0  ok
  1  the command ran and found problems: fsck found problems, inspect of a function that does not exist,
     revoke of a token that does not exist, a server that refused a diff or restore
  2  the command cannot run: a usage error, an unknown option, an invalid value (a project name, a role,
     a port, a duration), a data directory with no tagstone data, an unreadable store, a server that
     cannot start or cannot be reached
`

/**
 * Codes saying that what the command was asked about is not there, or that the server it asked
 * said no: an answer, not a failure to run.
 */
const ANSWERED = new Set<EngineErrorCode | 'SERVER_REFUSED'>([
  'FUNCTION_NOT_FOUND',
  'VERSION_NOT_FOUND',
  'ALIAS_NOT_FOUND',
  'SERVER_REFUSED',
])

/** Codes of a command line that cannot be used; its usage is printed with the message. */
const USAGE = new Set(['USAGE', 'INVALID_CONFIG'])

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code

export const isUsageError = (err: unknown): boolean => USAGE.has(codeOf(err) as string)

/** The exit code for a command that threw `err`: decided by its `code`, never its message. */
export function exitCodeOf(err: unknown): number {
  return ANSWERED.has(codeOf(err) as EngineErrorCode) ? EXIT_PROBLEMS : EXIT_CANNOT_RUN
}

/** What `serve` returns once it listens: no exit code yet, the process lives on until a signal. */
export const SERVING = -1
