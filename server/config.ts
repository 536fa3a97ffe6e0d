import { parseArgs } from 'node:util'

import { DEFAULT_GIT_CACHE_BYTES, DEFAULT_LIMITS, type Limits } from '../engine/limits.js'
import { RequestError } from './errors.js'

export interface ServeConfig {
  dataDir: string
  host: string
  port: number
  noAuth: boolean
  logLevel: LogLevel
  limits: Limits
  /** Bytes of package archives kept in memory for downloads. */
  archiveCacheBytes: number
  /** The git server's caches together, each its default share. */
  gitCacheBytes: number
  /** How long a stop waits for requests in flight before it closes the store anyway. */
  shutdownTimeoutMs: number
  /** A function's loose objects are packed this long after its last write (0: never). */
  packAfterMs: number
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** `--data DIR`, which `serve` and every admin command take. */
export const DATA_OPTION = { data: { type: 'string' } } as const

/** The data directory: `--data`, then `TAGSTONE_DATA`, then `./data`, the same for every command. */
export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.TAGSTONE_DATA ?? './data'
}

/** One `serve` setting: its flag, its environment twin, and what `serve --help` and the README say of it. */
export interface ServeSetting {
  flag: string
  /** The value's name in usage (`N`, `BYTES`); none for a switch. */
  value?: string
  env: string
  default: string
  about: string
}

const MiB = 1024 * 1024
const range = (name: string, field: string, r: { min: number; max: number }, unit = ''): ServeSetting[] => [
  {
    flag: `min-${name}`,
    value: 'N',
    env: `TAGSTONE_MIN_${name.toUpperCase().replace('-', '_')}`,
    default: `${r.min}`,
    about: `smallest \`${field}\`${unit}`,
  },
  {
    flag: `max-${name}`,
    value: 'N',
    env: `TAGSTONE_MAX_${name.toUpperCase().replace('-', '_')}`,
    default: `${r.max}`,
    about: `largest \`${field}\`${unit}`,
  },
]

/**
 * Every `serve` setting, in the order `serve --help` and the README list them. A flag wins over
 * its environment twin; sizes take a K, M or G suffix (powers of 1024).
 */
export const SERVE_SETTINGS: readonly ServeSetting[] = [
  {
    flag: 'data',
    value: 'DIR',
    env: 'TAGSTONE_DATA',
    default: './data',
    about: 'SQLite file `tagstone.db` and `repos/<function_id>.git`',
  },
  { flag: 'host', value: 'H', env: 'TAGSTONE_HOST', default: '127.0.0.1', about: 'listen address' },
  { flag: 'port', value: 'P', env: 'TAGSTONE_PORT', default: '7070', about: "listen port (Qinling's)" },
  {
    flag: 'no-auth',
    env: 'TAGSTONE_NO_AUTH=1',
    default: 'off',
    about: 'every request is project `default`, role admin (loopback only)',
  },
  {
    flag: 'log-level',
    value: 'L',
    env: 'TAGSTONE_LOG_LEVEL',
    default: 'info',
    about: LOG_LEVELS.map((l) => `\`${l}\``).join(', '),
  },
  {
    flag: 'shutdown-timeout',
    value: 'S',
    env: 'TAGSTONE_SHUTDOWN_TIMEOUT',
    default: '30',
    about: 'seconds a stop waits for requests in flight (0: none)',
  },
  {
    flag: 'pack-after',
    value: 'S',
    env: 'TAGSTONE_PACK_AFTER',
    default: '60',
    about: "seconds after a function's last write that its loose objects are packed (0: never)",
  },
  {
    flag: 'max-versions',
    value: 'N',
    env: 'TAGSTONE_MAX_VERSIONS',
    default: `${DEFAULT_LIMITS.maxVersions}`,
    about: 'live versions per function (403 beyond)',
  },
  {
    flag: 'max-package-bytes',
    value: 'BYTES',
    env: 'TAGSTONE_MAX_PACKAGE_BYTES',
    default: `${DEFAULT_LIMITS.maxPackageBytes / MiB}M`,
    about: 'largest package upload (413 beyond)',
  },
  {
    flag: 'max-unpacked-bytes',
    value: 'BYTES',
    env: 'TAGSTONE_MAX_UNPACKED_BYTES',
    default: `${DEFAULT_LIMITS.maxUnpackedBytes / MiB}M`,
    about: 'largest total size of a package unpacked (400 beyond)',
  },
  {
    flag: 'max-package-entries',
    value: 'N',
    env: 'TAGSTONE_MAX_PACKAGE_ENTRIES',
    default: `${DEFAULT_LIMITS.maxPackageEntries}`,
    about: 'most files and folders in a package (400 beyond)',
  },
  ...range('cpu', 'cpu', DEFAULT_LIMITS.cpu),
  ...range('memory-size', 'memory_size', DEFAULT_LIMITS.memorySize, ' (bytes)'),
  ...range('timeout', 'timeout', DEFAULT_LIMITS.timeout, ' (seconds)'),
  {
    flag: 'archive-cache-bytes',
    value: 'BYTES',
    env: 'TAGSTONE_ARCHIVE_CACHE_BYTES',
    default: '128M',
    about: 'package archives kept in memory for downloads',
  },
  {
    flag: 'git-cache-bytes',
    value: 'BYTES',
    env: 'TAGSTONE_GIT_CACHE_BYTES',
    default: `${DEFAULT_GIT_CACHE_BYTES / MiB}M`,
    about:
      "the git server's caches together (objects, pack blocks, compressed objects, packs, walks), shared as by default",
  },
]

/** `tagstone serve` flags, as the argument parser takes them. */
export const SERVE_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(
  SERVE_SETTINGS.map((s) => [s.flag, { type: s.value === undefined ? 'boolean' : 'string' }]),
)

/** The flags as parsed, before their environment twins fill them in. */
export type ServeFlags = Record<string, string | boolean | undefined>

/**
 * A flag or environment value `serve` cannot start with. Its code tells the
 * CLI to answer as to any usage error: the message, the usage, exit 2.
 */
const configError = (message: string) => new RequestError('INVALID_CONFIG', message)

/** Node's argument-parser error as one short sentence: the option it is about and what is wrong. */
export function argumentMessage(err: unknown): string {
  const { code, message } = err as { code?: string; message: string }
  // Node names the option as '-s, --long <value>' or '--long': name the long form when there is one.
  const option = /--[A-Za-z][\w-]*/.exec(message)?.[0] ?? /-[A-Za-z]/.exec(message)?.[0]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/ambiguous/.test(message))
      return `option '${option}' needs a value; for a value that starts with '-', write ${option}=VALUE`
    return /argument missing/.test(message) ? `option '${option}' needs a value` : `option '${option}' takes no value`
  }
  return message
}

/** Parses `tagstone serve` arguments into its configuration; throws an `INVALID_CONFIG` error on anything it cannot use. */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: ServeFlags
  try {
    values = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true }).values
  } catch (err) {
    throw configError(argumentMessage(err))
  }
  return serveConfigFrom(values, env)
}

/** The configuration from flags already parsed, filled in from their environment twins. */
export function serveConfigFrom(values: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const raw = (flag: string): string | undefined => {
    const setting = SERVE_SETTINGS.find((s) => s.flag === flag)!
    const given = values[flag]
    return typeof given === 'string' ? given : env[setting.env]
  }
  const count = (flag: string, fallback: number, zeroAllowed = false) => {
    const value = raw(flag)
    return value === undefined ? fallback : wholeNumber(`--${flag}`, value, zeroAllowed)
  }
  const bytes = (flag: string, fallback: number) => {
    const value = raw(flag)
    return value === undefined ? fallback : byteSize(`--${flag}`, value)
  }
  return {
    dataDir: dataDirFrom(values.data as string | undefined, env),
    host: raw('host') ?? '127.0.0.1',
    port: count('port', 7070, true),
    noAuth: values['no-auth'] === true || /^(1|true|yes)$/i.test(env.TAGSTONE_NO_AUTH ?? ''),
    logLevel: logLevel(raw('log-level') ?? 'info'),
    limits: {
      maxVersions: count('max-versions', DEFAULT_LIMITS.maxVersions),
      maxPackageBytes: bytes('max-package-bytes', DEFAULT_LIMITS.maxPackageBytes),
      maxUnpackedBytes: bytes('max-unpacked-bytes', DEFAULT_LIMITS.maxUnpackedBytes),
      maxPackageEntries: count('max-package-entries', DEFAULT_LIMITS.maxPackageEntries),
      cpu: fieldRange('cpu', count, DEFAULT_LIMITS.cpu),
      memorySize: fieldRange('memory-size', count, DEFAULT_LIMITS.memorySize),
      timeout: fieldRange('timeout', count, DEFAULT_LIMITS.timeout),
    },
    archiveCacheBytes: bytes('archive-cache-bytes', 128 * MiB),
    gitCacheBytes: bytes('git-cache-bytes', DEFAULT_GIT_CACHE_BYTES),
    shutdownTimeoutMs: count('shutdown-timeout', 30, true) * 1000,
    packAfterMs: count('pack-after', 60, true) * 1000,
  }
}

/**
 * A field's allowed range from `--min-X`/`--max-X`. A function created without the field gets
 * the default, moved to the nearer end when the range leaves it out.
 */
function fieldRange(
  name: string,
  count: (flag: string, fallback: number) => number,
  defaults: { min: number; max: number; default: number },
): { min: number; max: number; default: number } {
  const min = count(`min-${name}`, defaults.min)
  const max = count(`max-${name}`, defaults.max)
  if (min > max) throw configError(`--min-${name} (${min}) must not be above --max-${name} (${max})`)
  return { min, max, default: Math.min(max, Math.max(min, defaults.default)) }
}

function wholeNumber(flag: string, raw: string, zeroAllowed = false): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || (n === 0 && !zeroAllowed)) {
    throw configError(`${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} whole number, got '${raw}'`)
  }
  return n
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }

/** A positive size in bytes: a whole number, or one with a K, M or G suffix (powers of 1024). */
function byteSize(flag: string, raw: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(raw)
  const n = match ? Number(match[1]) * UNITS[match[2]!.toUpperCase()]! : NaN
  if (!Number.isSafeInteger(n) || n === 0) {
    throw configError(`${flag} must be a positive size in bytes (e.g. 52428800 or 50M), got '${raw}'`)
  }
  return n
}

function logLevel(raw: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === raw)
  if (level === undefined) throw configError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`)
  return level
}

/** `serve --help`'s table of settings: flag, environment twin, default, meaning. */
export function serveSettingsText(): string {
  const rows = SERVE_SETTINGS.map((s) => [
    `--${s.flag}${s.value ? ` ${s.value}` : ''}`,
    s.env,
    s.default,
    s.about.replace(/`/g, ''),
  ])
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n')
}
