import type { Asserts } from './api.js'

/** What a field must hold: a type name, or several joined by `|`. */
type FieldKind = 'string' | 'string|null' | 'integer' | 'uuid' | 'time' | 'time|null' | 'code' | 'status'

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The Qinling fields, with the types the openstack client relies on. */
export const FUNCTION_FIELDS: Record<string, FieldKind> = {
  id: 'uuid',
  name: 'string|null',
  description: 'string|null',
  count: 'integer',
  code: 'code',
  runtime_id: 'string|null',
  entry: 'string',
  project_id: 'string',
  created_at: 'time',
  updated_at: 'time|null',
  cpu: 'integer',
  memory_size: 'integer',
  timeout: 'integer',
  latest_version: 'integer',
}

export const VERSION_FIELDS: Record<string, FieldKind> = {
  id: 'uuid',
  description: 'string',
  function_id: 'uuid',
  count: 'integer',
  version_number: 'integer',
  project_id: 'string',
  status: 'status',
  created_at: 'time',
  updated_at: 'time|null',
}

export const ALIAS_FIELDS: Record<string, FieldKind> = {
  id: 'uuid',
  name: 'string',
  description: 'string|null',
  function_id: 'uuid',
  function_version: 'integer',
  project_id: 'string',
  created_at: 'time',
  updated_at: 'time|null',
}

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string'
    case 'string|null':
      return value === null || typeof value === 'string'
    case 'integer':
      return Number.isSafeInteger(value)
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
    case 'time':
      return typeof value === 'string' && TIME.test(value)
    case 'time|null':
      return value === null || (typeof value === 'string' && TIME.test(value))
    case 'status':
      return value === 'available' || value === 'detached'
    case 'code':
      return typeof value === 'string' && isPackageCode(value)
  }
}

function isPackageCode(text: string): boolean {
  try {
    const code = JSON.parse(text) as Record<string, unknown>
    return code.source === 'package' && typeof code.md5sum === 'string' && /^[0-9a-f]{32}$/.test(code.md5sum)
  } catch {
    return false
  }
}

/** Asserts, in one assertion naming every problem, that `value` has each field with its type. */
export function checkShape(t: Asserts, value: unknown, fields: Record<string, FieldKind>, what: string): void {
  const problems: string[] = []
  if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push('not an object')
  else {
    const record = value as Record<string, unknown>
    for (const [name, kind] of Object.entries(fields)) {
      if (!(name in record)) problems.push(`${name} missing`)
      else if (!fits(kind, record[name])) problems.push(`${name} is ${JSON.stringify(record[name])}, not ${kind}`)
    }
  }
  t.equal(problems.join('; '), '', `${what} has every Qinling field with its type`)
}

export const checkFunction = (t: Asserts, value: unknown, what = 'function') =>
  checkShape(t, value, FUNCTION_FIELDS, what)
export const checkVersion = (t: Asserts, value: unknown, what = 'version') => checkShape(t, value, VERSION_FIELDS, what)
export const checkAlias = (t: Asserts, value: unknown, what = 'alias') => checkShape(t, value, ALIAS_FIELDS, what)
