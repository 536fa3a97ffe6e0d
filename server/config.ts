import { parseArgs } from 'node:util'

import { type Limits } from '../engine/limits.js'
import { RequestError } from './errors.js'

export interface ServeConfig {
  dataDir: string
  host: string
  port: number
  noAuth: boolean
  logLevel: LogLevel
  limits: Partial<Limits>
  /** How long a stop waits for requests in flight before it closes the store anyway. */
  shutdownTimeoutMs: number
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** `--data DIR`, which `serve` and every admin command take. */
export const DATA_OPTION = { data: { type: 'string' } } as const

/** The data directory: `--data`, then `TAGSTONE_DATA`, then `./data`, the same for every command. */
export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.TAGSTONE_DATA ?? './data'
}

/** `tagstone serve` flags; each has an environment twin, and a flag wins over its twin. */
export const SERVE_OPTIONS = {
  ...DATA_OPTION,
  host: { type: 'string' },
  port: { type: 'string' },
  'no-auth': { type: 'boolean' },
  'max-versions': { type: 'string' },
  'max-package-bytes': { type: 'string' },
  'log-level': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
} as const

/** The flags as parsed, before their environment twins fill them in. */
export type ServeFlags = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof SERVE_OPTIONS; strict: true }>
>['values']

/**
 * A flag or environment value `serve` cannot start with. Its code tells the
 * CLI to answer as to any usage error: the message, the usage, exit 2.
 */
const configError = (message: string) => new RequestError('INVALID_CONFIG', message)

/** Parses `tagstone serve` arguments into its configuration; throws an `INVALID_CONFIG` error on anything it cannot use. */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: ServeFlags
  try {
    values = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true }).values
  } catch (err) {
    throw configError((err as Error).message)
  }
  return serveConfigFrom(values, env)
}

/** The configuration from flags already parsed, filled in from their environment twins. */
export function serveConfigFrom(values: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const limits: Partial<Limits> = {}
  const maxVersions = values['max-versions'] ?? env.TAGSTONE_MAX_VERSIONS
  const maxPackageBytes = values['max-package-bytes'] ?? env.TAGSTONE_MAX_PACKAGE_BYTES
  if (maxVersions !== undefined) limits.maxVersions = positiveInteger('--max-versions', maxVersions)
  if (maxPackageBytes !== undefined) limits.maxPackageBytes = positiveInteger('--max-package-bytes', maxPackageBytes)
  return {
    dataDir: dataDirFrom(values.data, env),
    host: values.host ?? env.TAGSTONE_HOST ?? '127.0.0.1',
    port: positiveInteger('--port', values.port ?? env.TAGSTONE_PORT ?? '7070', true),
    noAuth: values['no-auth'] ?? /^(1|true|yes)$/i.test(env.TAGSTONE_NO_AUTH ?? ''),
    logLevel: logLevel(values['log-level'] ?? env.TAGSTONE_LOG_LEVEL ?? 'info'),
    limits,
    shutdownTimeoutMs:
      positiveInteger('--shutdown-timeout', values['shutdown-timeout'] ?? env.TAGSTONE_SHUTDOWN_TIMEOUT ?? '30', true) *
      1000,
  }
}

function positiveInteger(flag: string, raw: string, zeroAllowed = false): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || (n === 0 && !zeroAllowed)) {
    throw configError(`${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} whole number, got '${raw}'`)
  }
  return n
}

function logLevel(raw: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === raw)
  if (level === undefined) throw configError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`)
  return level
}
