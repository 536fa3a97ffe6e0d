import { parseArgs } from 'node:util'

import { DEFAULT_LIMITS, type Limits } from '../engine/limits.js'

export interface ServeConfig {
  dataDir: string
  host: string
  port: number
  noAuth: boolean
  limits: Partial<Limits>
}

/** `tagstone serve` flags, each with an environment twin; a flag wins over its twin. */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'no-auth': { type: 'boolean' },
      'max-versions': { type: 'string' },
      'max-package-bytes': { type: 'string' },
    },
    strict: true,
  })
  const limits: Partial<Limits> = {}
  const maxVersions = values['max-versions'] ?? env.TAGSTONE_MAX_VERSIONS
  const maxPackageBytes = values['max-package-bytes'] ?? env.TAGSTONE_MAX_PACKAGE_BYTES
  if (maxVersions !== undefined) limits.maxVersions = positiveInteger('--max-versions', maxVersions)
  if (maxPackageBytes !== undefined) limits.maxPackageBytes = positiveInteger('--max-package-bytes', maxPackageBytes)
  return {
    dataDir: values.data ?? env.TAGSTONE_DATA ?? './data',
    host: values.host ?? env.TAGSTONE_HOST ?? '127.0.0.1',
    port: positiveInteger('--port', values.port ?? env.TAGSTONE_PORT ?? '7070', true),
    noAuth: values['no-auth'] ?? /^(1|true|yes)$/i.test(env.TAGSTONE_NO_AUTH ?? ''),
    limits,
  }
}

function positiveInteger(flag: string, raw: string, zeroAllowed = false): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || (n === 0 && !zeroAllowed)) {
    throw new Error(`${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} whole number, got '${raw}'`)
  }
  return n
}

export { DEFAULT_LIMITS }
