import { randomUUID } from 'node:crypto'

import { EngineError } from './errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const newId = (): string => randomUUID()

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

export function requireUuid(value: string, what = 'id'): string {
  if (!isUuid(value)) throw new EngineError('INVALID_ID', `Invalid ${what}: '${value}' is not a UUID.`, { value })
  return value.toLowerCase()
}
