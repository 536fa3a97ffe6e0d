import { EngineError } from './errors.js'

/** An alias's weighted extras: version number -> weight; `function_version` takes the rest. */
export type Weights = Record<string, number>

const invalid = (why: string) =>
  new EngineError('INVALID_FIELD', `Invalid routing_config: ${why}.`, { field: 'routing_config' })

/**
 * Reads `routing_config` as a client sent it: undefined or null leaves it as it
 * is (the openstack client's habit), `{"additional_version_weights": {}}` clears
 * it (`{}`), otherwise the weights, each `0 < w < 1`, summing below 1.
 */
export function parseRoutingConfig(raw: unknown): Weights | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalid('must be an object such as {"additional_version_weights": {"2": 0.1}}')
  const keys = Object.keys(raw)
  const unknown = keys.find((k) => k !== 'additional_version_weights')
  if (unknown !== undefined) throw invalid(`unknown key '${unknown}'; only additional_version_weights is allowed`)
  const weights = (raw as { additional_version_weights?: unknown }).additional_version_weights
  if (weights === undefined || weights === null) return {}
  if (typeof weights !== 'object' || Array.isArray(weights))
    throw invalid('additional_version_weights must be an object of version number to weight')
  let sum = 0
  const parsed: Weights = {}
  for (const [key, w] of Object.entries(weights as Record<string, unknown>)) {
    if (!/^[1-9]\d{0,8}$/.test(key)) throw invalid(`'${key}' is not a version number (1 or more)`)
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w >= 1)
      throw invalid(`the weight of version ${key} must be a number above 0 and below 1, not ${JSON.stringify(w)}`)
    sum += w
    parsed[key] = w
  }
  // The alias's own version needs a share: the extras together stay below 1.
  if (sum >= 1 - 1e-9) throw invalid(`the weights sum to ${+sum.toFixed(6)}; they must sum to less than 1`)
  return parsed
}

/** The column's value: null for an alias that routes to its version alone. */
export function storedRoutingConfig(weights: Weights): string | null {
  return Object.keys(weights).length === 0 ? null : JSON.stringify({ additional_version_weights: weights })
}

export function weightsOf(stored: string | null): Weights {
  return stored === null
    ? {}
    : (JSON.parse(stored) as { additional_version_weights: Weights }).additional_version_weights
}
