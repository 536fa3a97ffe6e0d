import { readTrailers, type Trailer, withTrailers } from '../repos/git/trailers.js'
import type { FunctionRow, VersionRow } from './store/rows.js'

/** What a function ran with when a version was made (spec 8, config snapshot). */
export interface ConfigSnapshot {
  entry: string
  runtime_id: string | null
  cpu: number
  memory_size: number
  timeout: number
}

export const CONFIG_KEYS = ['entry', 'runtime_id', 'cpu', 'memory_size', 'timeout'] as const

export function configOfFunction(fn: FunctionRow): ConfigSnapshot {
  return { entry: fn.entry, runtime_id: fn.runtime_id, cpu: fn.cpu, memory_size: fn.memory_size, timeout: fn.timeout }
}

/** The snapshot a version row holds; null for versions made before snapshots were kept. */
export function configOfVersion(v: VersionRow): ConfigSnapshot | null {
  if (v.config_entry === null) return null
  return {
    entry: v.config_entry,
    runtime_id: v.config_runtime_id,
    cpu: v.config_cpu!,
    memory_size: v.config_memory_size!,
    timeout: v.config_timeout!,
  }
}

/** The columns of a version row that hold `config`. */
export function configColumns(config: ConfigSnapshot) {
  return {
    config_entry: config.entry,
    config_runtime_id: config.runtime_id,
    config_cpu: config.cpu,
    config_memory_size: config.memory_size,
    config_timeout: config.timeout,
  }
}

export const sameConfig = (a: ConfigSnapshot, b: ConfigSnapshot) => CONFIG_KEYS.every((k) => a[k] === b[k])

/** The keys whose values differ, each with both values. */
export function configChanges(
  a: ConfigSnapshot,
  b: ConfigSnapshot,
): Record<string, { from: string | number | null; to: string | number | null }> {
  const changes: Record<string, { from: string | number | null; to: string | number | null }> = {}
  for (const k of CONFIG_KEYS) if (a[k] !== b[k]) changes[k] = { from: a[k], to: b[k] }
  return changes
}

/** The tag's trailers; a runtime that was never given has no trailer. */
function configTrailers(config: ConfigSnapshot, sha256: string): Trailer[] {
  return [
    ['Tagstone-Entry', config.entry],
    ...(config.runtime_id === null ? [] : [['Tagstone-Runtime', config.runtime_id] as const]),
    ['Tagstone-Cpu', String(config.cpu)],
    ['Tagstone-Memory-Size', String(config.memory_size)],
    ['Tagstone-Timeout', String(config.timeout)],
    ['Tagstone-Package-Sha256', sha256],
  ]
}

/** A version tag's message: the description, then the snapshot as trailers (none for an old version). */
export function versionTagMessage(description: string, config: ConfigSnapshot | null, sha256: string): string {
  return config ? withTrailers(description, configTrailers(config, sha256)) : description
}

/** Where a tag's trailers differ from the row's snapshot and package, as `Key: found (expected ...)`; empty when they agree. */
export function trailerMismatches(message: string, config: ConfigSnapshot, sha256: string): string[] {
  const found = readTrailers(message)
  const expected = new Map(configTrailers(config, sha256))
  const keys = new Set([...expected.keys(), ...[...found.keys()].filter((k) => k.startsWith('Tagstone-'))])
  return [...keys]
    .filter((k) => found.get(k) !== expected.get(k))
    .map((k) => `${k}: ${found.get(k) ?? 'none'} (expected ${expected.get(k) ?? 'none'})`)
}
