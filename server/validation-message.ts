import type { FastifySchemaValidationError } from 'fastify'

import { RequestError } from './errors.js'

/** What each JSON type is called in a sentence. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
  object: 'an object',
  array: 'a list',
}

const PLACES: Record<string, string> = {
  body: 'request body',
  params: 'path',
  querystring: 'query string',
  headers: 'headers',
}

/**
 * One sentence for a failed schema check, in the engine's own form (`Invalid <field>: <why>.`).
 * ajv reports each branch of a union apart (`must be string, must be null, must match a schema
 * in anyOf`); a client wants the field and what it may be, once.
 */
export function validationMessage(errors: readonly FastifySchemaValidationError[], dataVar: string): string {
  const first = errors[0]
  if (first === undefined) return `The ${PLACES[dataVar] ?? dataVar} is not valid.`
  if (first.keyword === 'required') {
    const missing = String((first.params as { missingProperty?: unknown }).missingProperty)
    return `Missing ${fieldName(first.instancePath, missing)}: it is required.`
  }
  const here = errors.filter((e) => e.instancePath === first.instancePath && e.keyword !== 'anyOf')
  const types = here.filter((e) => e.keyword === 'type').map((e) => String((e.params as { type?: unknown }).type))
  const why =
    types.length > 0
      ? `must be ${[...new Set(types)].map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`
      : ((here[0] ?? first).message ?? 'is not valid')
  if (first.instancePath === '') return `The ${PLACES[dataVar] ?? dataVar} ${why}.`
  return `Invalid ${fieldName(first.instancePath)}: ${why}.`
}

/** `/a/b` and `c` as `a.b.c`: the field as the client wrote it in its JSON. */
function fieldName(instancePath: string, child?: string): string {
  return [...instancePath.split('/').filter(Boolean), ...(child === undefined ? [] : [child])].join('.')
}

/** Fastify's `schemaErrorFormatter`: the sentence, as the one error class with its 400 code. */
export const formatSchemaErrors = (errors: FastifySchemaValidationError[], dataVar: string): Error =>
  new RequestError('BAD_REQUEST', validationMessage(errors, dataVar))
