import { EngineError } from './errors.js'
import type { Limits } from './limits.js'

/** A field as a client sent it: forms send strings, JSON sends numbers, the openstack client sends null for "unset". */
export type FieldValue = string | number | boolean | null | undefined

const MAX_TEXT = 255

export function optionalText(name: string, value: FieldValue, max = MAX_TEXT): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw invalid(name, 'must be a string')
  if (value.length > max) throw invalid(name, `must be at most ${max} characters`)
  return value
}

export function boundedInteger(
  name: string,
  value: FieldValue,
  range: { min: number; max: number },
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN
  // Digits past what a double holds exactly are a whole number still, only far too large.
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value) && !Number.isSafeInteger(n))
    throw invalid(name, `is too large (at most ${range.max})`)
  if (!Number.isSafeInteger(n)) throw invalid(name, 'must be a whole number')
  if (n < range.min || n > range.max) throw invalid(name, `must be between ${range.min} and ${range.max}`)
  return n
}

function invalid(name: string, why: string): EngineError {
  return new EngineError('INVALID_FIELD', `Invalid ${name}: ${why}.`, { field: name })
}

export interface FunctionFields {
  name?: string
  description?: string
  entry?: string
  cpu?: number
  memory_size?: number
  timeout?: number
  version_retention?: number
}

/** Retention beyond this keeps nothing more than no retention would. */
const RETENTION_RANGE = { min: 0, max: 1_000_000 }

/** Validates the metadata fields of a function create or update; absent fields stay absent. */
export function parseFunctionFields(input: Record<string, FieldValue>, limits: Limits): FunctionFields {
  const fields: FunctionFields = {}
  const name = optionalText('name', input.name)
  const description = optionalText('description', input.description)
  const entry = optionalText('entry', input.entry)
  const cpu = boundedInteger('cpu', input.cpu, limits.cpu)
  const memorySize = boundedInteger('memory_size', input.memory_size, limits.memorySize)
  const timeout = boundedInteger('timeout', input.timeout, limits.timeout)
  const retention = boundedInteger('version_retention', input.version_retention, RETENTION_RANGE)
  if (name !== undefined) fields.name = name
  if (description !== undefined) fields.description = description
  if (entry !== undefined) {
    if (entry === '') throw invalid('entry', 'must not be empty')
    fields.entry = entry
  }
  if (cpu !== undefined) fields.cpu = cpu
  if (memorySize !== undefined) fields.memory_size = memorySize
  if (timeout !== undefined) fields.timeout = timeout
  if (retention !== undefined) fields.version_retention = retention
  return fields
}

export interface CodeSpec {
  md5sum?: string
}

/**
 * The `code` of a create (a JSON string) or of an update (an object, or the
 * form fields `source` and `md5sum`). Only packages are stored here.
 */
export function parseCode(raw: FieldValue | Record<string, unknown>): CodeSpec {
  if (raw === undefined || raw === null || raw === '') return {}
  let code: unknown = raw
  if (typeof raw === 'string') {
    try {
      code = JSON.parse(raw)
    } catch {
      throw invalid('code', 'must be a JSON object such as {"source": "package"}')
    }
  }
  if (typeof code !== 'object' || code === null || Array.isArray(code))
    throw invalid('code', 'must be a JSON object such as {"source": "package"}')
  const { source, md5sum } = code as Record<string, unknown>
  if (source !== undefined && source !== null && source !== 'package') {
    throw new EngineError(
      'UNSUPPORTED_CODE_SOURCE',
      `Code source '${String(source)}' is not supported: tagstone stores packages only (source "package").`,
      { source },
    )
  }
  if (md5sum === undefined || md5sum === null || md5sum === '') return {}
  if (typeof md5sum !== 'string' || !/^[0-9a-fA-F]{32}$/.test(md5sum))
    throw invalid('md5sum', 'must be 32 hexadecimal digits')
  return { md5sum: md5sum.toLowerCase() }
}
